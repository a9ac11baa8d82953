/**
 * The console's HTML shell. Static: every value shown on the page is filled in by `console.js` with DOM calls
 * (textContent, never markup built from data), so nothing here is interpolated except the base path.
 */
export function renderConsolePage(basePath: string): string {
  const base = basePath.replace(/[^/A-Za-z0-9_-]/g, '');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kakehashi teaching console — TEST ONLY</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${base}/assets/console.css">
<link rel="stylesheet" href="${base}/assets/fabric.css">
<link rel="stylesheet" href="${base}/assets/story.css">
<script type="module" src="${base}/assets/console.js"></script>
</head>
<body data-base="${base}">
<div class="banner" data-testid="test-only-banner" data-i18n="banner">KAKEHASHI — TEST ONLY. A mock of cross-border eGovernment infrastructure: synthetic people, test keys, nothing real.</div>
<div class="watermark" data-testid="watermark" aria-hidden="true">TEST ONLY</div>
<header class="top">
  <h1>Kakehashi <span class="sub" data-i18n="title.sub">teaching console</span></h1>
  <nav class="langs" data-testid="lang-switch" aria-label="Language / 言語">
    <a href="?lang=en" hreflang="en" lang="en" data-lang-link="en" data-testid="lang-en">English</a>
    <a href="?lang=ja" hreflang="ja" lang="ja" data-lang-link="ja" data-testid="lang-ja">日本語</a>
  </nav>
  <section class="clock" data-testid="clock" aria-label="Virtual clock">
    <div><span class="label" data-i18n="clock.label">virtual time</span> <output data-testid="clock-time" data-iso="">…</output>
      <span class="pill" data-testid="clock-mode">…</span></div>
    <form class="clock-controls" data-testid="clock-form">
      <label><span data-i18n="clock.token">admin token</span> <input data-testid="clock-token" type="password" autocomplete="off" size="22" placeholder="Bearer token for /admin"></label>
      <button type="button" data-testid="clock-freeze" data-action="freeze" data-i18n="clock.freeze">freeze</button>
      <button type="button" data-testid="clock-advance-1h" data-action="advance" data-by="1h">+1 h</button>
      <button type="button" data-testid="clock-advance-1d" data-action="advance" data-by="1d">+1 d</button>
      <button type="button" data-testid="clock-advance-30d" data-action="advance" data-by="30d">+30 d</button>
      <button type="button" data-testid="clock-resume" data-action="resume" data-i18n="clock.resume">resume</button>
      <button type="button" data-testid="clock-reset" data-action="reset" data-i18n="clock.reset">reset</button>
    </form>
    <div class="status" data-testid="clock-status" role="status"></div>
  </section>
</header>
<section class="scenario-bar" data-testid="scenarios" aria-labelledby="scenarios-h">
  <h2 id="scenarios-h" data-i18n="scenarios.h">Scenarios</h2>
  <div data-testid="scenario-list" class="scenario-list"></div>
  <p class="hint" data-i18n="scenarios.hint">Run one: its story opens beside the diagram, step by step.</p>
  <div class="reset-row"><button type="button" class="reset" data-testid="federation-reset" data-i18n="reset.button">Reset federation</button>
    <div class="status" data-testid="federation-reset-status" role="status" aria-live="polite"></div></div>
</section>
<main class="layout">
  <aside class="side">
    <section data-testid="topology" aria-labelledby="topology-h">
      <h2 id="topology-h" data-i18n="topology.h">Topology</h2>
      <p class="hint" data-i18n="topology.hint">The hub links the national nodes; each node runs its country's eID, signature and delivery services. Polled every 5 s.</p>
      <div class="topology" data-testid="topology-map"></div>
    </section>
    <section data-testid="traces" aria-labelledby="traces-h">
      <h2 id="traces-h" data-i18n="traces.h">Traces</h2>
      <div class="row">
        <label><input type="checkbox" data-testid="traces-auto" checked> <span data-i18n="traces.live">live</span></label>
        <button data-testid="traces-refresh" data-i18n="traces.refresh">refresh</button>
      </div>
      <form class="row" data-testid="trace-open-form">
        <input data-testid="trace-id-input" placeholder="trace id (32 hex)" size="24" pattern="[0-9a-fA-F]{32}" required>
        <button data-testid="trace-open" type="submit" data-i18n="traces.open">open</button>
      </form>
      <ol class="trace-list" data-testid="traces-list"></ol>
    </section>
  </aside>
  <section class="main">
    <nav class="tabs" role="tablist">
      <button role="tab" data-testid="tab-diagram" data-tab="diagram" aria-selected="true" data-i18n="tab.diagram">Sequence diagram</button>
      <button role="tab" data-testid="tab-personas" data-tab="personas" aria-selected="false" data-i18n="tab.personas">Personas</button>
      <button role="tab" data-testid="tab-portal" data-tab="portal" aria-selected="false" data-i18n="tab.portal">Citizen portal</button>
      <button role="tab" data-testid="tab-faults" data-tab="faults" aria-selected="false" data-i18n="tab.faults">Faults</button>
      <button role="tab" data-testid="tab-fabric" data-tab="fabric" aria-selected="false" data-i18n="tab.fabric">Trust fabric</button>
      <button role="tab" data-testid="tab-learn" data-tab="learn" aria-selected="false" data-i18n="tab.learn">How to read this</button>
    </nav>
    <section class="panel" data-panel="diagram" data-testid="panel-diagram">
      <div class="diagram-grid">
      <div class="diagram-col">
      <div class="trace-head" data-testid="trace-head" data-i18n="trace.choose">Choose a trace on the left, or run a scenario.</div>
      <div class="legend" data-i18n="legend">arrows: requests (caller → callee, with the HTTP status) · boxes: what a component did inside a request · green: a verdict that passed · red: a failed verdict or an error · click a hop to inspect it</div>
      <div class="diagram-wrap" data-testid="diagram-wrap"></div>
      <section class="inspector" data-testid="inspector" aria-live="polite">
        <p class="hint" data-i18n="inspector.hint">The inspector shows the hop you click: what it is, its decoded artefact and the verdict of every check.</p>
      </section>
      </div>
      <aside class="story" data-testid="story" aria-labelledby="story-h">
        <h2 id="story-h" data-i18n="story.h">Story</h2>
        <div data-testid="scenario-report" class="report" aria-live="polite"></div>
        <div data-testid="story-card" class="story-card" aria-live="polite"><p class="hint" data-i18n="story.none">Run a scenario to follow its story step by step.</p></div>
      </aside>
      </div>
    </section>
    <section class="panel" data-panel="personas" data-testid="panel-personas" hidden>
      <p class="hint">Synthetic citizens of each node (GET /personas). Log in as one headlessly with <code>kakehashi_persona=&lt;id&gt;</code> on the authorization request.</p>
      <div class="row" data-testid="persona-countries"></div>
      <div data-testid="personas-view"></div>
    </section>
    <section class="panel" data-panel="portal" data-testid="panel-portal" hidden>
      <p class="hint">Japan's citizen portal (Myna-like): a citizen sees which agency asked for which of their data, and why.</p>
      <div data-testid="portal-view"></div>
    </section>
    <section class="panel" data-panel="faults" data-testid="panel-faults" hidden>
      <p class="hint">Every block can misbehave on purpose, by name: forged artefacts, lenient validators (a weak node), outages, incidents. All are off by default; each one switched on is a <strong>deliberate weakness</strong> (TEST ONLY). Switching needs the admin token (beside the clock). A hop on which a fault fired is marked in the sequence diagram. One login can ask for a per-request fault alone with <code>kakehashi_fault=&lt;name&gt;</code> or the header <code>X-Kakehashi-Fault</code>.</p>
      <div class="row"><button type="button" data-testid="faults-refresh">refresh</button>
        <span class="faults-summary" data-testid="faults-summary" role="status"></span></div>
      <div data-testid="faults-view"></div>
    </section>
    <section class="panel" data-panel="fabric" data-testid="panel-fabric" hidden>
      <p class="hint" data-i18n="fabric.hint">The trust fabric as a relying party walks it.</p>
      <div class="row"><button type="button" data-testid="fabric-refresh" data-i18n="fabric.refresh">refresh</button></div>
      <div data-testid="fabric-view"></div>
    </section>
    <section class="panel learn" data-panel="learn" data-testid="panel-learn" hidden>
      <h2 data-i18n="learn.h">How to read this console</h2>
      <dl class="glossary" data-testid="glossary">
        <dt data-i18n="gl.hub"></dt>
        <dd data-i18n="gl.hub.d"></dd>
        <dt data-i18n="gl.node"></dt>
        <dd data-i18n="gl.node.d"></dd>
        <dt data-i18n="gl.connector"></dt>
        <dd data-i18n="gl.connector.d"></dd>
        <dt data-i18n="gl.proxy"></dt>
        <dd data-i18n="gl.proxy.d"></dd>
        <dt data-i18n="gl.rp"></dt>
        <dd data-i18n="gl.rp.d"></dd>
        <dt data-i18n="gl.pid"></dt>
        <dd data-i18n="gl.pid.d"></dd>
        <dt data-i18n="gl.loa"></dt>
        <dd data-i18n="gl.loa.d"></dd>
        <dt data-i18n="gl.trace"></dt>
        <dd data-i18n="gl.trace.d"></dd>
        <dt data-i18n="gl.verdict"></dt>
        <dd data-i18n="gl.verdict.d"></dd>
        <dt data-i18n="gl.tl"></dt>
        <dd data-i18n="gl.tl.d"></dd>
        <dt data-i18n="gl.fault"></dt>
        <dd data-i18n="gl.fault.d"></dd>
        <dt data-i18n="gl.clock"></dt>
        <dd data-i18n="gl.clock.d"></dd>
      </dl>
      <h3 data-i18n="learn.rules">Rule families</h3>
      <table class="rules" data-testid="rule-families"><thead><tr><th data-i18n="learn.prefix">prefix</th><th data-i18n="learn.about">what is checked</th></tr></thead><tbody></tbody></table>
    </section>
  </section>
</main>
</body>
</html>
`;
}
