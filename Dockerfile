# syntax=docker/dockerfile:1
#
# The ws-worker image:  docker build -t fleet-ws-worker .
#
# Stage "build" installs the whole workspace from the lockfile, compiles
# @fleet/ws-worker and the workspace packages it depends on, then `pnpm deploy`s
# the worker into /out: its dist/ plus production node_modules only (no
# TypeScript, no test tooling, ~17 MB). `--legacy` is required: pnpm 10 deploys
# without it only from workspaces with inject-workspace-packages=true, which
# this lockfile was not made with (turning it on fails --frozen-lockfile).
#
# Stage "runtime" is the same Node base with that folder at /app. It keeps npm
# (part of the node image): the worker installs adaptors by running `npm` at
# run time.

# Node.js 24 LTS, the version .nvmrc pins for development and CI (a test keeps
# the two equal).
ARG NODE_VERSION=24.21.0

FROM node:${NODE_VERSION}-bookworm-slim AS build
RUN npm install --global pnpm@10.34.9
WORKDIR /src
COPY . .
# The pnpm store lives in a BuildKit cache, so rebuilds do not download again.
RUN --mount=type=cache,id=fleet-pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --store-dir /pnpm/store
RUN pnpm --filter @fleet/ws-worker... build
RUN --mount=type=cache,id=fleet-pnpm-store,target=/pnpm/store \
    pnpm --filter @fleet/ws-worker deploy --prod --legacy --store-dir /pnpm/store /out


FROM node:${NODE_VERSION}-bookworm-slim AS runtime

# The shared repo: give every worker of a fleet the SAME volume here (a
# ReadWriteMany volume on Kubernetes, a named volume or an NFS mount with
# Docker): each adaptor version is then built once for the whole fleet and
# stored as one archive. On NFS/EFS mount it with attribute caching off (see
# README, Deployment). The local cache, where adaptors are unpacked and imported,
# stays on the container's own disk (or an emptyDir): never the shared volume.
ENV WORKER_REPO_DIR=/repo WORKER_CACHE_DIR=/cache
RUN mkdir -p /repo /cache && chown node:node /repo /cache

# Owned by root: the worker cannot change its own code.
COPY --from=build /out /app
WORKDIR /app

# npm (run by the worker for each adaptor build) reads the registry and auth
# from npm_config_* variables or the user config /home/node/.npmrc. A global
# npmrc is NOT read: the worker runs npm with --prefix pointing at a staging
# folder, which moves npm's global config there.
USER node

# /livez and /metrics (WORKER_PORT, default 2222).
EXPOSE 2222

# SIGTERM: stop claiming, give runs in flight WORKER_SHUTDOWN_TIMEOUT_SECONDS
# (default 60) to finish, report the rest as killed, exit 0. Allow the container
# that long plus ~2 x WORKER_MESSAGE_TIMEOUT_SECONDS before a SIGKILL, e.g.
# `docker stop --time 135` (Kubernetes: terminationGracePeriodSeconds).
STOPSIGNAL SIGTERM

# No curl in slim images: Node's fetch. Follows WORKER_PORT (set the port by the
# env var, not by --port, for this check to find it).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.WORKER_PORT || 2222) + '/livez').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

ENTRYPOINT ["node", "/app/dist/cli.js"]
