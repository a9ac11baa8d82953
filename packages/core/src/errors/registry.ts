import { CORE_ERROR_CODES } from './codes.ts';

/** What a code maps to in a problem document. */
export interface ErrorCodeInfo {
  status: number;
  title: string;
}

/**
 * Every error code of the federation. Core declares its generic codes here; each package that raises codes of
 * its own registers them with {@link defineErrorCodes} and extends this interface by module augmentation
 * (`declare module '@kakehashi/core' { interface ErrorCatalogue extends Record<…> {} }`), so {@link ErrorCode} is
 * the union of every owner's codes while each table stays in the package that raises its codes.
 */
export interface ErrorCatalogue extends Record<keyof typeof CORE_ERROR_CODES, ErrorCodeInfo> {}

/** A stable, machine-readable error code (`type: urn:kakehashi:error:<code>`). */
export type ErrorCode = keyof ErrorCatalogue & string;

/** One registered code with the package that owns it. */
export interface RegisteredErrorCode extends ErrorCodeInfo {
  code: string;
  owner: string;
}

const REGISTRY = new Map<string, RegisteredErrorCode>();

/**
 * Registers a package's error codes (at the import of the package) and returns the table. A code belongs to
 * one owner: a second owner for the same code is a programming error and throws at once.
 */
export function defineErrorCodes<const T extends Record<string, ErrorCodeInfo>>(owner: string, table: T): T {
  for (const [code, info] of Object.entries(table)) {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(code)) throw new Error(`error code "${code}" of ${owner} is not kebab-case`);
    const known = REGISTRY.get(code);
    if (known && known.owner !== owner)
      throw new Error(`error code "${code}" is declared by both ${known.owner} and ${owner}`);
    REGISTRY.set(code, { code, owner, status: info.status, title: info.title });
  }
  return table;
}

defineErrorCodes('core', CORE_ERROR_CODES);

/** The status and title of a registered code, or undefined when no imported package declares it. */
export function errorCodeInfo(code: string): ErrorCodeInfo | undefined {
  return REGISTRY.get(code);
}

/** True when `code` is registered (e.g. a code read from a peer's problem document). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && REGISTRY.has(code);
}

/** Every registered code, grouped by owner in registration order. */
export function registeredErrorCodes(): RegisteredErrorCode[] {
  return [...REGISTRY.values()];
}

/** Renders the registered codes as the Markdown table the README carries (one row per owner). */
export function renderErrorCodesTable(codes: readonly RegisteredErrorCode[] = registeredErrorCodes()): string {
  const owners = [...new Set(codes.map((c) => c.owner))];
  const rows = owners.map((owner) => {
    const byStatus = new Map<number, string[]>();
    for (const c of codes.filter((x) => x.owner === owner))
      byStatus.set(c.status, [...(byStatus.get(c.status) ?? []), `\`${c.code}\``]);
    const cells = [...byStatus].map(([status, list]) => `${list.join(', ')} (${status})`).join('; ');
    return `| ${owner} | ${cells} |`;
  });
  return ['| owner | codes (HTTP status) |', '| --- | --- |', ...rows].join('\n');
}

/** The `type` URI of a problem document for `code`. */
export function problemType(code: ErrorCode): string {
  return `urn:kakehashi:error:${code}`;
}
