# Migrant Hotline — production image.
#
#   docker build -t migrant-hotline .
#   web:     docker run ... migrant-hotline                        (node dist/src/main.js)
#   worker:  docker run ... migrant-hotline node dist/src/worker.js
#   CLI:     docker run ... migrant-hotline node dist/src/cli.js --help
#
# The image sets NODE_ENV=production, so it refuses to start without DATABASE_URL, ENCRYPTION_KEY and
# SESSION_SECRET (see .env.example and docker-compose.yml).

# ---- toolchain: Node plus what node-gyp needs if a native prebuild (argon2) is ever missing ----
FROM node:20-bookworm-slim AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app

# ---- build: all dependencies, compile TypeScript to dist/ ----
FROM toolchain AS build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build

# ---- prod-deps: production dependencies only, installed where a compiler is at hand ----
FROM toolchain AS prod-deps
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# ---- runtime: no compiler, no dev dependencies, not root ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Application files stay owned by root (read-only to the app); only data/ is writable by `node`
# (used in embedded mode only: mount a volume on /app/data to keep it).
COPY package.json package-lock.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY locales ./locales
COPY public ./public
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
CMD ["node", "dist/src/main.js"]
