/**
 * Preloaded (`--require`) into the receiver child the ingest benchmark starts; never shipped.
 * Answers the benchmark's IPC requests for the child's own V8 and Node memory figures, after a
 * full GC when asked (the benchmark adds --expose-gc for that), and writes a heap snapshot on request.
 */
'use strict';
const v8 = require('node:v8');

process.on('message', (msg) => {
  if (!msg || msg.benchProbe !== true) return;
  const reply = () => {
    const snapshot = msg.snapshot ? v8.writeHeapSnapshot(msg.snapshot) : undefined;
    process.send({ benchProbe: true, id: msg.id, memoryUsage: process.memoryUsage(), spaces: v8.getHeapSpaceStatistics(), snapshot });
  };
  if (msg.gc && typeof globalThis.gc === 'function') {
    globalThis.gc();
    // Let V8 and the allocator hand back what the collection freed before reading.
    setTimeout(reply, 500);
  } else reply();
});
