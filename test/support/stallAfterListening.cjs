// Preloaded into a receiver (`node --require`): right after it prints that it listens, its event
// loop is held for RUNTIME_LENS_TEST_STALL_MS, as on a machine too loaded to answer at once.
const stallMs = Number(process.env.RUNTIME_LENS_TEST_STALL_MS || 0);
const write = process.stdout.write.bind(process.stdout);
let stalled = false;
process.stdout.write = (chunk, ...rest) => {
  const done = write(chunk, ...rest);
  if (!stalled && /listening on /.test(String(chunk))) {
    stalled = true;
    setImmediate(() => {
      const until = Date.now() + stallMs;
      while (Date.now() < until);
    });
  }
  return done;
};
