import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { freeLoopbackPorts } from '../../support/backendProcess';

test('ports picked for one backend are distinct and free once picked', async () => {
  // Picked one after the other, a released port could come back at once: Jaeger then bound its query
  // server and its OTLP receiver to the same port and exited.
  for (let round = 0; round < 20; round++) {
    const ports = await freeLoopbackPorts(3);
    assert.equal(new Set(ports).size, 3, `distinct: ${ports.join(', ')}`);
    for (const port of ports) {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
});
