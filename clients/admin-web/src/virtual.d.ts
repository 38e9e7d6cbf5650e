/** The public API schema (SDL): schema/api.graphql as it was at build time (vite.config.ts). */
declare module 'virtual:clinicult-api-schema' {
  const sdl: string;
  export default sdl;
}
