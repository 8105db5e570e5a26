// A template that Go would refuse to parse (or, as ExecError, to execute).
export class TemplateError extends Error {}
