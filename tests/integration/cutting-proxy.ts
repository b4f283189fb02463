// A loopback TCP proxy for the tests that cut a connection mid-stream: it forwards bytes both
// ways and, once armed, drops both sockets of a connection after the server has sent it
// `cutAfterBytes`, the way a failing network or a killed server would.
import { createConnection, createServer, type Server, type Socket } from "node:net";

export class CuttingProxy {
  /** Set to cut every connection that receives more than this many bytes from the server. */
  cutAfterBytes: number | null = null;
  cuts = 0;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<number> {
    this.server = createServer((client) => this.forward(client));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const address = this.server.address();
    if (address === null || typeof address === "string") throw new Error("the proxy has no TCP port");
    return address.port;
  }

  private forward(client: Socket): void {
    const upstream = createConnection(this.targetPort, this.targetHost);
    this.sockets.add(client).add(upstream);
    let received = 0;
    const drop = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on("data", (chunk) => upstream.write(chunk));
    upstream.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (this.cutAfterBytes !== null && received > this.cutAfterBytes) {
        this.cuts += 1;
        drop();
        return;
      }
      client.write(chunk);
    });
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
