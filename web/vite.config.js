import { defineConfig } from "vite";

// Served under /chat/ by the Rasa server: relative asset paths.
export default defineConfig({
  base: "./",
  esbuild: { jsx: "automatic" },
  optimizeDeps: { include: ["react/jsx-runtime"] },
  build: {
    target: "es2018",
    outDir: "dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `npm run dev` talks to a local Rasa server (override with WUHU_SERVER).
    proxy: { "/socket.io": { target: process.env.WUHU_SERVER || "http://localhost:5005", ws: true } },
  },
});
