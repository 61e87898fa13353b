import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Several tests train real models for 10–20 s; a CI machine under load has taken 2.4× as
    // long as the dev machine. The timeout only catches hangs, speed is measured in bench/.
    testTimeout: 90_000,
  },
});
