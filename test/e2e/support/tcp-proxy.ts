import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay between the API and the real test Neo4j that can fail on demand, the way a Neo4j
 * restart looks from the driver: `blackhole()` cuts every open connection and then accepts new
 * ones without ever answering (the port is open, Bolt never replies); `restore()` relays again.
 * The database behind it is the real one: this injects the network fault, it mocks nothing.
 */
export class FaultyTcpProxy {
  private mode: 'relay' | 'blackhole' = 'relay';
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<FaultyTcpProxy> {
    // Assigned once the server listens; the connection handler runs only after that.
    // eslint-disable-next-line prefer-const
    let proxy!: FaultyTcpProxy;
    const server = createServer((client) => {
      proxy.track(client);
      if (proxy.mode === 'blackhole') return;
      const upstream = connect(targetPort, targetHost);
      proxy.track(upstream);
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    proxy = new FaultyTcpProxy(server, typeof address === 'object' && address !== null ? address.port : 0);
    return proxy;
  }

  blackhole(): void {
    this.mode = 'blackhole';
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.mode = 'relay';
    // Connections accepted while black-holed never got an answer: drop them so the driver retries.
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  }
}
