/** The console's one stylesheet, kept in code so the build has no asset step. */
export const CONSOLE_CSS = `
:root { --fg: #1d2330; --muted: #667085; --line: #d9dee7; --bad: #b42318; --good: #067647; --warn: #b54708; --accent: #2e5aac; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: #f7f8fa; }
header { display: flex; align-items: center; gap: 24px; padding: 10px 20px; background: #1d2330; color: #fff; }
header a { color: #c9d4ea; text-decoration: none; margin-right: 14px; }
header a.active, header a:hover { color: #fff; border-bottom: 2px solid #fff; }
header .who { margin-left: auto; display: flex; gap: 10px; align-items: center; }
.brand { font-size: 15px; }
main { padding: 16px 20px 40px; }
h1 { font-size: 20px; margin: 4px 0 14px; }
h2 { font-size: 16px; margin: 22px 0 8px; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 6px 9px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f6; font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.down td { background: #fef3f2; }
.status-up { color: var(--good); font-weight: 600; }
.status-down { color: var(--bad); font-weight: 600; }
.bad { color: var(--bad); }
.muted { color: var(--muted); }
.warn { color: var(--warn); font-weight: 600; }
code, pre, textarea { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre { background: #fff; border: 1px solid var(--line); padding: 10px; overflow: auto; max-height: 420px; }
textarea { width: 100%; min-height: 320px; padding: 8px; border: 1px solid var(--line); }
button, .button { background: var(--accent); color: #fff; border: 0; border-radius: 4px; padding: 5px 11px; cursor: pointer; font-size: 13px; text-decoration: none; display: inline-block; }
button.secondary { background: #667085; }
button.danger { background: var(--bad); }
button:disabled { background: #aab2c0; cursor: not-allowed; }
input[type=text], input[type=password], input[type=search], select { padding: 5px 8px; border: 1px solid var(--line); border-radius: 4px; font-size: 13px; }
form.inline { display: inline; }
.actions { display: flex; gap: 8px; align-items: center; margin: 10px 0; flex-wrap: wrap; }
.card { background: #fff; border: 1px solid var(--line); padding: 14px; margin: 10px 0; }
.login { max-width: 380px; margin: 60px auto; }
.login label { display: block; margin: 10px 0 4px; }
.login input { width: 100%; }
.notice { padding: 8px 12px; border-radius: 4px; margin: 10px 0; background: #eef4ff; border: 1px solid #c7d7fe; }
.notice.error { background: #fef3f2; border-color: #fecdca; color: var(--bad); }
.notice.ok { background: #ecfdf3; border-color: #abefc6; color: var(--good); }
.diagram { background: #fff; border: 1px solid var(--line); overflow-x: auto; padding: 8px; }
.diagram text { font: 12px system-ui, sans-serif; }
progress { width: 240px; }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 0; }
dl.fields dt { color: var(--muted); }
dl.fields dd { margin: 0; word-break: break-all; }
`;
