/** The public API schema (SDL), computed at build time from schema/supergraph.graphql (vite.config.ts). */
declare module 'virtual:clinicult-api-schema' {
  const sdl: string;
  export default sdl;
}
