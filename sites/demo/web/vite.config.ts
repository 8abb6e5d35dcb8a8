import { defineConfig } from "vite";

// `npm run dev` serves the app with hot reload and sends everything that is not the app to
// the Django demo (make demo, or daphne on DJANGO_ORIGIN), WebSockets included.
const django = process.env.DJANGO_ORIGIN ?? "http://127.0.0.1:8000";
const toDjango = { target: django, changeOrigin: false };

export default defineConfig({
  server: {
    port: 5173,
    proxy: {
      "/api": toDjango,
      "/admin": toDjango,
      "/static": toDjango,
      "/media": toDjango,
      "/stream": toDjango,
      "/billing": toDjango,
      "/ws": { ...toDjango, ws: true },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
});
