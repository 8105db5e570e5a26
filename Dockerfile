# syntax=docker/dockerfile:1
# alloy-ts container image: build with the full toolchain, run with production
# dependencies only, as a non-root user.
#   docker build -t ghcr.io/alloy-ts/alloy-ts:0.1.0 .

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The debug UI is served from the package root's src/ui/static (plain browser modules, not compiled).
COPY src/ui/static ./src/ui/static
# The OTLP protobuf definitions, loaded at run time by src/otel/proto.ts.
COPY proto ./proto
# The storage path the charts mount a volume at, owned by the runtime user for plain `docker run` too
# (which then also needs --server.http.listen-addr=0.0.0.0:12345: the default listens on loopback).
RUN mkdir -p /var/lib/alloy/data /etc/alloy && chown -R 10001:10001 /var/lib/alloy
USER 10001:10001
EXPOSE 12345 12346
ENTRYPOINT ["node","/app/dist/src/main.js"]
CMD ["run","/etc/alloy/config.alloy"]
