// metav1.Status objects and the error type the handlers throw to produce them.

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: Array<{ reason?: string; message: string; field?: string }>;
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason: string = REASONS[code] ?? 'Unknown',
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): any {
    return statusObject(this.code, this.message, this.reason, this.details);
  }
}

export function statusObject(code: number, message: string, reason = REASONS[code] ?? 'Unknown', details?: StatusDetails): any {
  const s: any = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: code < 400 ? 'Success' : 'Failure', message, reason, code };
  if (details) s.details = details;
  return s;
}

export function reasonFor(code: number): string {
  return REASONS[code] ?? 'Unknown';
}

/** `pods "x" not found` with the details the apiserver sends. */
export function notFound(resource: string, group: string, name: string): ApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new ApiError(404, `${qualified} "${name}" not found`, 'NotFound', { name, group, kind: resource });
}

export function alreadyExists(resource: string, group: string, name: string): ApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new ApiError(409, `${qualified} "${name}" already exists`, 'AlreadyExists', { name, group, kind: resource });
}

export function conflict(resource: string, group: string, name: string): ApiError {
  const qualified = group ? `${resource}.${group}` : resource;
  return new ApiError(
    409,
    `Operation cannot be fulfilled on ${qualified} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    'Conflict',
    { name, group, kind: resource },
  );
}

export function invalid(kind: string, group: string, name: string, causes: string[]): ApiError {
  const qualified = group ? `${kind}.${group}` : kind;
  return new ApiError(422, `${qualified} "${name}" is invalid: ${causes.join(', ')}`, 'Invalid', {
    name,
    group,
    kind,
    causes: causes.map((c) => ({ reason: 'FieldValueInvalid', message: c })),
  });
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, message, 'BadRequest');
}

export function gone(message: string): ApiError {
  return new ApiError(410, message, 'Expired');
}
