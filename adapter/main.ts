/**
 * The stand-alone debug adapter (bundled to dist/adapter.js): speaks DAP over stdio by
 * default, or, with `--server=PORT`, accepts one session per TCP connection (handy for
 * debugging the adapter itself: point launch.json's `debugServer` at the port).
 */
import { createServer } from 'node:net';
import { Xv6DebugSession } from './session';
import { nodeHost } from './host';

function main(argv: string[]): void {
  const portArg = argv.find((a) => a.startsWith('--server='));
  if (portArg) {
    const port = Number(portArg.slice('--server='.length));
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      process.stderr.write(`xv6 debug adapter: --server needs a port number, not '${portArg.slice(9)}'\n`);
      process.exit(2);
    }
    const server = createServer((socket) => {
      const session = new Xv6DebugSession(nodeHost);
      session.setRunAsServer(true);
      session.start(socket, socket);
    });
    server.listen(port, '127.0.0.1', () => {
      const addr = server.address();
      process.stderr.write(
        `xv6 debug adapter listening on port ${typeof addr === 'object' && addr ? addr.port : port}\n`,
      );
    });
    return;
  }
  const session = new Xv6DebugSession(nodeHost);
  process.on('SIGTERM', () => session.shutdown());
  session.start(process.stdin, process.stdout);
}

main(process.argv.slice(2));
