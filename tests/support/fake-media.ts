import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a fake media host received. */
export interface FakeMediaRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A local stand-in for a host serving media (Twilio's API, its CDN, LINE's data API, Viber's CDN). */
export async function startFakeMediaHost() {
  const requests: FakeMediaRequest[] = [];
  const routes = new Map<string, Handler>();
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization });
    const handler = routes.get(`${req.method} ${req.url}`);
    if (!handler) {
      res.statusCode = 404;
      res.end();
      return;
    }
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    /** Answers `METHOD path` with the handler. */
    on: (method: string, path: string, handler: Handler) => routes.set(`${method} ${path}`, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type FakeMediaHost = Awaited<ReturnType<typeof startFakeMediaHost>>;
