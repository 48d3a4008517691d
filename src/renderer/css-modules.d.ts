/** Vite turns `*.module.css` into an object of scoped class names (no area can restyle another). */
declare module '*.module.css' {
  const classes: Readonly<Record<string, string>>;
  export default classes;
}
