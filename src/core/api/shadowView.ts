/**
 * The view models of a shadow run's report as the editor shows it (the report webview and the Live
 * Signals panel's one-line summary): part of the webview protocol, so they live with the wire
 * contract; render/shadowView.ts builds them from a ShadowReport. Every figure arrives formatted.
 */
import type { Severity } from './panelView';

/** One headline figure of the summary strip. */
export interface ShadowTile {
  key: 'replayed' | 'status' | 'errors' | 'shape' | 'calls' | 'p95';
  label: string;
  value: string;
  /** What the figure counts, one short line (shown under it and as its tooltip). */
  detail: string;
  level: Severity;
}

/** One thing that changed, under a route or a function. */
export interface ShadowDetail {
  kind: 'status' | 'production' | 'shape' | 'latency' | 'error' | 'errorSpans' | 'call' | 'values';
  text: string;
  level: Severity;
  /** The line in the function's file it points at, when known (a call, a thrown error). */
  line?: number;
}

/** A formatted figure in a table cell. */
export interface ShadowCell {
  text: string;
  level: Severity;
  /** A longer form for the tooltip. */
  title?: string;
}

/** One route of the per-route table. */
export interface ShadowRouteRow {
  key: string;
  method: string;
  route: string;
  requests: string;
  changed: boolean;
  level: Severity;
  status: ShadowCell;
  shape: ShadowCell;
  p95: ShadowCell;
  errors: ShadowCell;
  details: ShadowDetail[];
}

/** One function of the per-function deltas; a row opens `file` at `line`. */
export interface ShadowFunctionRow {
  key: string;
  function: string;
  service: string;
  /** Workspace-relative, as mapped from the spans (untrusted: opened only inside the workspace). */
  file: string;
  line: number;
  location: string;
  requests: string;
  changed: boolean;
  level: Severity;
  p95: ShadowCell;
  /** `+1 call`, `2 new errors`: the chips beside the name. */
  badges: ShadowCell[];
  details: ShadowDetail[];
  /** Mapping confidence below which the row says it is a guess ('' when sure). */
  confidence: string;
}

/** A fact of the run line (`candidate`, `baseline`, `traffic`, `duration`). */
export interface ShadowFact {
  label: string;
  value: string;
}

/** The whole report as the webview lays it out. */
export interface ShadowReportView {
  verdict: { text: string; level: Severity };
  facts: ShadowFact[];
  startedAt: number;
  tiles: ShadowTile[];
  skipped: { reason: string; label: string; count: number }[];
  routes: ShadowRouteRow[];
  functions: ShadowFunctionRow[];
  warnings: string[];
  hasBaseline: boolean;
  /** True when the run was cancelled and the report covers what was replayed until then. */
  cancelled: boolean;
}

/** The Live Signals panel's line about the last shadow run. */
export interface ShadowPanelLine {
  /** `20 status mismatches · 1 new error · p95 ×0.6 vs base`, or that nothing changed. */
  text: string;
  level: Severity;
  startedAt: number;
  /** `140 of 141 requests · shop.har`. */
  detail: string;
}
