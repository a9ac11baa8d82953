import { isKakehashiError } from '@kakehashi/core';
import { getCountry, getIdFormat, listCountries } from '@kakehashi/personas';
import { describe, expect, it } from 'vitest';
import { COUNTRY_PROFILES, CountryProfileSchema, EDELIVERY_SERVICES, getProfile } from '../src/profiles/index.ts';

describe('country profiles', () => {
  it('ship AT, DE, EE, ES, FR, IT (EU) and JP, in that fixed order', () => {
    expect(COUNTRY_PROFILES.map((p) => p.code)).toEqual(['AT', 'DE', 'EE', 'ES', 'FR', 'IT', 'JP']);
    expect(COUNTRY_PROFILES.filter((p) => p.eu).map((p) => p.code)).toEqual(['AT', 'DE', 'EE', 'ES', 'FR', 'IT']);
    expect(getProfile('JP').eu).toBe(false);
  });

  it.each(COUNTRY_PROFILES.map((p) => [p.code, p] as const))(
    '%s validates against CountryProfileSchema',
    (_cc, profile) => {
      const r = CountryProfileSchema.safeParse(profile);
      expect(r.success, JSON.stringify(r.error?.issues)).toBe(true);
      expect(profile.agencies.length).toBeGreaterThanOrEqual(3);
      expect(profile.services.length).toBeGreaterThanOrEqual(1);
    },
  );

  it('has unique country codes, and unique agency and service ids within each profile', () => {
    const codes = COUNTRY_PROFILES.map((p) => p.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const p of COUNTRY_PROFILES) {
      expect(new Set(p.agencies.map((a) => a.id)).size).toBe(p.agencies.length);
      expect(new Set(p.services.map((s) => s.id)).size).toBe(p.services.length);
    }
    const participants = COUNTRY_PROFILES.flatMap((p) => p.participants.map((x) => x.id));
    expect(new Set(participants).size).toBe(participants.length);
  });

  it('Japan has a municipality, the pension service, the tax agency and a health insurer', () => {
    const jp = getProfile('JP');
    const kinds = new Set(jp.agencies.map((a) => a.kind));
    for (const k of ['municipality', 'pension', 'tax', 'health-insurer'] as const) expect(kinds).toContain(k);
    const byId = Object.fromEntries(jp.agencies.map((a) => [a.id, a.nameLocal]));
    expect(byId).toMatchObject({
      'setagaya-city': '世田谷区',
      'japan-pension-service': '日本年金機構',
      'national-tax-agency': '国税庁',
      'kyokai-kenpo': '全国健康保険協会',
    });
    expect(jp.idScheme).toMatchObject({
      national: 'jp-my-number',
      organisation: 'jp-corporate-number',
      eid: 'My Number Card (JPKI)',
    });
    expect(jp.currency).toBe('JPY');
    expect(jp.timezone).toBe('Asia/Tokyo');
  });

  it('names the eID scheme of each country', () => {
    const eid = Object.fromEntries(COUNTRY_PROFILES.map((p) => [p.code, p.idScheme.eid]));
    expect(eid.AT).toContain('ID Austria');
    expect(eid.DE).toContain('Personalausweis (nPA)');
    expect(eid.EE).toContain('Smart-ID');
    expect(eid.ES).toContain('Cl@ve');
    expect(eid.FR).toContain('FranceConnect');
    expect(eid.IT).toContain('SPID');
    expect(eid.JP).toBe('My Number Card (JPKI)');
  });

  it('agree with @kakehashi/personas on names, identifier formats and LoA', () => {
    expect(listCountries().map((c) => c.code)).toEqual(COUNTRY_PROFILES.map((p) => p.code));
    for (const p of COUNTRY_PROFILES) {
      const c = getCountry(p.code);
      expect(p).toMatchObject({ name: c.name, nameLocal: c.nameLocal, loa: c.loa });
      expect(getIdFormat(p.idScheme.national)).toMatchObject({ country: p.code, subject: 'person' });
      expect(getIdFormat(p.idScheme.organisation)).toMatchObject({ country: p.code, subject: 'organisation' });
    }
  });

  it('gives every agency an eDelivery participant id and lists it as a participant', () => {
    for (const p of COUNTRY_PROFILES) {
      for (const a of p.agencies) {
        expect(a.participantId).toBe(`urn:kakehashi:participant:${p.code.toLowerCase()}:${a.id}`);
        expect(p.participants).toContainEqual({
          id: a.participantId,
          agencyId: a.id,
          name: a.name,
          services: a.acceptsServices,
        });
      }
      expect(p.agencies.some((a) => a.acceptsServices.includes(EDELIVERY_SERVICES.evidence))).toBe(true);
    }
  });

  it('services request eIDAS attributes at a LoA the country can deliver, run by one of its agencies', () => {
    for (const p of COUNTRY_PROFILES) {
      for (const s of p.services) {
        expect(s.kind).toBe('relying-party');
        expect(s.requestedAttributes).toContain('PersonIdentifier');
        expect(p.agencies.map((a) => a.id)).toContain(s.agencyId);
      }
    }
  });

  it('the schema rejects inconsistent profiles', () => {
    const jp = getProfile('JP');
    const bad = [
      { ...jp, agencies: jp.agencies.slice(0, 2) },
      { ...jp, idScheme: { ...jp.idScheme, national: 'de-steuer-id' } },
      { ...jp, timezone: 'Mars/Olympus' },
      {
        ...getProfile('FR'),
        services: [{ ...getProfile('FR').services[0], minimumLoa: 'http://eidas.europa.eu/LoA/high' }],
      },
      { ...jp, services: [{ ...jp.services[0], agencyId: 'nobody' }] },
      { ...jp, participants: jp.participants.slice(1) },
      { ...jp, agencies: [...jp.agencies, jp.agencies[0]] },
    ];
    for (const b of bad) expect(CountryProfileSchema.safeParse(b).success).toBe(false);
  });

  it('getProfile is case-insensitive and returns the shared, frozen profile', () => {
    expect(getProfile('jp')).toBe(getProfile('JP'));
    expect(Object.isFrozen(getProfile('DE'))).toBe(true);
  });

  it('getProfile of an unknown country throws unknown-country listing the known codes', () => {
    let error: unknown;
    try {
      getProfile('XX');
    } catch (e) {
      error = e;
    }
    expect(isKakehashiError(error, 'unknown-country')).toBe(true);
    expect((error as Error).message).toContain('AT, DE, EE, ES, FR, IT, JP');
    expect((error as { status: number }).status).toBe(404);
  });
});
