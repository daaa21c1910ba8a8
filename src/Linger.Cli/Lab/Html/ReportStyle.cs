namespace Linger.Cli.Lab.Html;

/// <summary>
/// The report's one stylesheet, inlined so the page needs nothing else. Fonts are the system's (no web fonts:
/// the page works offline); the ladder's colours follow the usual convention of packet diagrams: resets red,
/// closes blue, everything else ink.
/// </summary>
internal static class ReportStyle
{
    public const string Css = """
        :root {
          --ink: #1d1f23; --muted: #5f6670; --faint: #d9dce1; --paper: #ffffff; --panel: #f6f7f9;
          --rst: #c62828; --fin: #1f5fa8; --ok: #2e7d32; --warn: #a15c00; --net: #6a3d9a;
          --sans: "DejaVu Sans", "Segoe UI", "Helvetica Neue", Arial, sans-serif;
          --mono: "DejaVu Sans Mono", Menlo, Consolas, "Liberation Mono", monospace;
        }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--paper); color: var(--ink); font: 15px/1.5 var(--sans); }
        main { max-width: 1300px; margin: 0 auto; padding: 24px 28px 64px; }
        h1 { font-size: 26px; margin: 0 0 4px; letter-spacing: -0.01em; }
        h2 { font-size: 21px; margin: 0 0 2px; }
        h3 { font-size: 15px; margin: 22px 0 6px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
        p { margin: 6px 0; max-width: 78ch; }
        a { color: var(--fin); }
        code, .mono { font-family: var(--mono); font-size: 0.92em; }
        .lede { color: var(--muted); }
        table.summary { border-collapse: collapse; width: 100%; margin: 18px 0 8px; font-size: 14px; }
        table.summary th, table.summary td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--faint); vertical-align: top; }
        table.summary th { font-weight: 600; color: var(--muted); border-bottom: 2px solid var(--ink); }
        table.summary td .title { color: var(--muted); font-size: 12.5px; }
        table.summary td.saw { font-family: var(--mono); font-size: 13px; }
        .status { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 13px; font-weight: 600; }
        .status.passed { background: #e6f2e7; color: var(--ok); }
        .status.failed { background: #fbe6e6; color: var(--rst); }
        .status.skipped { background: #eceef1; color: var(--muted); }
        .agrees-yes { color: var(--ok); font-weight: 600; }
        .agrees-no { color: var(--rst); font-weight: 600; }
        .legend { max-width: none; display: flex; flex-wrap: wrap; gap: 6px 22px; font-size: 13px; color: var(--muted); margin: 8px 0 0; }
        .legend .swatch { display: inline-block; width: 26px; height: 0; border-top: 2px solid; vertical-align: middle; margin-right: 6px; }
        section.scenario { border-top: 3px solid var(--ink); margin-top: 44px; padding-top: 14px; }
        .meta { color: var(--muted); font-size: 13px; margin: 0 0 8px; }
        dl.verdicts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0; font-size: 14px; }
        dl.verdicts dt { color: var(--muted); }
        dl.verdicts dd { margin: 0; }
        figure.diagram { margin: 16px 0; padding: 10px 0; background: var(--paper); border: 1px solid var(--faint); border-radius: 4px; overflow-x: auto; }
        figure.diagram svg { display: block; margin: 0 auto; max-width: none; }
        figure.diagram figcaption { font-size: 13px; color: var(--muted); padding: 6px 16px 0; }
        .panel { background: var(--panel); border-left: 3px solid var(--faint); padding: 8px 14px; margin: 8px 0; }
        .panel.documented { border-left-color: var(--fin); }
        .panel.failure { border-left-color: var(--rst); }
        .tag { display: inline-block; font-size: 11px; font-weight: 700; letter-spacing: 0.06em; text-transform: uppercase; padding: 0 6px; border-radius: 3px; margin-right: 6px; background: #e3ecf7; color: var(--fin); }
        .source { color: var(--muted); font-size: 13px; }
        table.saw { border-collapse: collapse; font-size: 14px; }
        table.saw th, table.saw td { text-align: left; padding: 3px 14px 3px 0; vertical-align: top; }
        table.saw th { color: var(--muted); font-weight: 600; }
        ul.plain { margin: 4px 0; padding-left: 20px; }
        .skipped-reason { font-size: 15px; }

        svg.ladder text { font-family: var(--sans); font-size: 12px; fill: var(--ink); }
        svg.ladder .gutter-title { fill: var(--muted); font-size: 11px; font-style: italic; }
        svg.ladder .time { font-family: var(--mono); font-size: 11px; fill: var(--muted); }
        svg.ladder .actor rect { fill: var(--panel); stroke: var(--ink); stroke-width: 1.2; }
        svg.ladder .actor-name { font-size: 14px; font-weight: 700; }
        svg.ladder .endpoint { font-family: var(--mono); font-size: 12px; fill: var(--muted); }
        svg.ladder .lifeline { stroke: var(--ink); stroke-width: 1.6; }
        svg.ladder .lifeline-end { stroke: var(--ink); stroke-width: 1.6; }
        svg.ladder .notice { fill: var(--muted); font-style: italic; font-size: 13px; }
        svg.ladder .packet { color: var(--ink); }
        svg.ladder .packet line { stroke: currentColor; stroke-width: 1.3; }
        svg.ladder .packet polygon { fill: currentColor; }
        svg.ladder .packet .label { fill: currentColor; font-family: var(--mono); font-size: 11.5px; }
        svg.ladder .packet.data line { stroke-width: 2.2; }
        svg.ladder .packet.syn .label { font-weight: 700; }
        svg.ladder .packet.fin { color: var(--fin); }
        svg.ladder .packet.fin line { stroke-width: 1.8; }
        svg.ladder .packet.rst { color: var(--rst); }
        svg.ladder .packet.rst line { stroke-width: 2.4; }
        svg.ladder .packet.rst .label { font-weight: 700; }
        svg.ladder .leader { stroke: var(--faint); stroke-width: 1; stroke-dasharray: 2 3; }
        svg.ladder .call-dot { fill: var(--ink); }
        svg.ladder .step.error .call-dot { fill: var(--rst); }
        svg.ladder .step.timeout .call-dot { fill: var(--warn); }
        svg.ladder .note .call { font-weight: 600; }
        svg.ladder .note .ok { fill: var(--muted); }
        svg.ladder .note .error { fill: var(--rst); font-weight: 700; }
        svg.ladder .note .dotnet { fill: var(--rst); }
        svg.ladder .note .timeout { fill: var(--warn); font-weight: 700; }
        svg.ladder .note .detail { fill: var(--muted); font-style: italic; }
        svg.ladder .network-note { fill: #f3eef8; stroke: var(--net); stroke-width: 1; }
        svg.ladder .step[data-actor="network"] .call { fill: var(--net); }
        svg.ladder .state rect { fill: #fffbea; stroke: #b08d2e; stroke-width: 1; }
        svg.ladder .state-name { font-family: var(--mono); font-size: 11px; font-weight: 700; fill: #6b5300; }
        svg.ladder .queue { font-family: var(--mono); font-size: 10px; fill: #6b5300; }
        @media print { figure.diagram { break-inside: auto; } section.scenario { break-before: page; } }
        """;
}
