# The API image used by docker-compose.yml. Build context is the repo root.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY cypher ./cypher
# The explorer at / is bundled from web/ by esbuild when the API starts; its model page shows reports/.
COPY web ./web
COPY reports ./reports
EXPOSE 3000
CMD ["node", "dist/cli.js", "serve"]
