/**
 * The benchmark ceiling for protobuf ingest: walks an ExportTraceServiceRequest down to every
 * field of every span, skipping each value, and counts spans. It does the same bounds-checked
 * work as the real decoder minus building records, so "decode rate / walk rate" is honest.
 */
import { ProtoReader } from './protobufReader';

const T_LEN_1 = (1 << 3) | 2;
const T_LEN_2 = (2 << 3) | 2;

/** Counts the spans of an ExportTraceServiceRequest, visiting every span field; throws DecodeError. */
export function countSpansProto(bytes: Uint8Array): number {
  const r = new ProtoReader(bytes);
  const end = r.end;
  let count = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === T_LEN_1) {
      const len = r.length(end);
      count += walkResourceSpans(r, r.pos + len);
    } else r.skipField(tag, end);
  }
  return count;
}

function walkResourceSpans(r: ProtoReader, end: number): number {
  let count = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === T_LEN_2) {
      const len = r.length(end);
      count += walkScopeSpans(r, r.pos + len);
    } else r.skipField(tag, end);
  }
  r.expectEnd(end);
  return count;
}

function walkScopeSpans(r: ProtoReader, end: number): number {
  let count = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === T_LEN_2) {
      const len = r.length(end);
      walkFields(r, r.pos + len);
      count++;
    } else r.skipField(tag, end);
  }
  r.expectEnd(end);
  return count;
}

function walkFields(r: ProtoReader, end: number): void {
  while (r.pos < end) r.skipField(r.tag(), end);
  r.expectEnd(end);
}
