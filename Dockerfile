# syntax=docker/dockerfile:1
#
# The kube-as3 controller image. Build and push: docs/image.md.
#
# Base: Node 22 LTS, Debian bookworm slim, pinned to an exact tag so that a rebuild gives the same
# Node. To bump it, pick the newest 22.x tag on https://hub.docker.com/_/node (or pass
# --build-arg NODE_IMAGE=...), and run `npm test` on that Node version first.
ARG NODE_IMAGE=node:22.23.3-bookworm-slim

# Stage 1: all dependencies (TypeScript is a dev dependency) and the build into dist/.
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Stage 2: what runs. Production dependencies only, the built code, the schemas it reads.
# test/image-install.test.ts replays this stage's COPY lines and its `npm ci` outside a container.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds with tsc, a dev dependency that is not installed here.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY bin ./bin
COPY as3-schemas ./as3-schemas
COPY crds ./crds
# Files stay root's and read-only to the process; it writes nothing to disk (logs go to stdout),
# so it runs with readOnlyRootFilesystem. 65532: the conventional "nonroot" id, no /etc/passwd entry needed.
USER 65532:65532
ENTRYPOINT ["node", "/app/bin/kube-as3.js"]
# The chart mounts the config here (credentials under /etc/kube-as3/bigip/, named in the config's
# bigip.credentialsDir) and usually passes its own arguments.
CMD ["run", "--config", "/etc/kube-as3/config.yaml"]
