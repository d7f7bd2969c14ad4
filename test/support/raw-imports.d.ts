/** Vite's `?raw` imports (a file's text), which both vitest projects resolve. */
declare module "*?raw" {
  const text: string;
  export default text;
}
