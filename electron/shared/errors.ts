/**
 * The error shape every channel answers with, over IPC and over the admin HTTP API alike.
 * Electron passes only `message` of a thrown error to the renderer, so errors cross the boundary as data.
 */

export type ErrorCode =
  | 'INVALID_INPUT'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'UPSTREAM_ERROR'
  | 'UNKNOWN_CHANNEL'
  | 'INTERNAL';

/** One field's problem; `path` names the field, e.g. `["remainingRequests"]`. */
export interface FieldIssue {
  path: (string | number)[];
  message: string;
}

/**
 * Stable ids of the messages the core words with values (a count, a name, a port). `message` stays English, for the
 * admin API and logs; a client that speaks another language words its own message from `reason` and `params`.
 * Extend the list; never rename an entry.
 */
export const errorReasons = [
  'upstream_not_found',
  'subkey_not_found',
  'upstream_has_subkeys',
  'upstream_key_unopenable',
  'upstream_unreachable',
  'upstream_stopped_answering',
  'upstream_refused_key',
  'upstream_forbidden',
  'upstream_no_models_endpoint',
  'upstream_rate_limited',
  'upstream_status',
  'upstream_not_json',
  'upstream_no_model_list',
  'proxy_address_fixed',
  'port_in_use',
  'port_not_allowed',
  'port_privileged',
  'host_not_local',
  'host_not_resolved',
  'listen_failed',
] as const;
export type ErrorReason = (typeof errorReasons)[number];

/**
 * Why a network call failed, as the `cause` param of `upstream_unreachable` / `upstream_stopped_answering`
 * (`timeout` also sends `seconds`, `network` may send `networkCode`).
 */
export const networkCauses = ['timeout', 'refused', 'host_not_found', 'closed', 'tls', 'network'] as const;
export type NetworkCause = (typeof networkCauses)[number];

/** The values a message names, e.g. `{ count: 4 }` or `{ name: 'OpenAI', status: 401 }`. */
export type ErrorParams = Record<string, string | number>;

/** A message a client can word itself: its stable reason and the values it names. */
export interface ErrorDetail {
  reason: ErrorReason;
  params?: ErrorParams;
}

export interface AppErrorData {
  code: ErrorCode;
  message: string;
  issues?: FieldIssue[];
  /** The stable id of `message`, when it names values; see `errorReasons`. */
  reason?: ErrorReason;
  params?: ErrorParams;
}

export type Result<T> = { ok: true; data: T } | { ok: false; error: AppErrorData };

/** An error a service throws on purpose; its message is safe to show (never a key, never a stack). */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly issues: FieldIssue[] | undefined;
  readonly detail: ErrorDetail | undefined;

  constructor(code: ErrorCode, message: string, issues?: FieldIssue[], detail?: ErrorDetail) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.issues = issues;
    this.detail = detail;
  }

  toData(): AppErrorData {
    return {
      code: this.code,
      message: this.message,
      ...(this.issues && { issues: this.issues }),
      ...(this.detail && { reason: this.detail.reason }),
      ...(this.detail?.params && { params: this.detail.params }),
    };
  }
}

/** A single-field validation error, e.g. an unknown upstream id. */
export function fieldError(field: string, message: string): AppError {
  return new AppError('INVALID_INPUT', message, [{ path: [field], message }]);
}

/** HTTP status of each code on the admin API. */
export const httpStatusOf: Record<ErrorCode, number> = {
  INVALID_INPUT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  UNKNOWN_CHANNEL: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  UPSTREAM_ERROR: 502,
  INTERNAL: 500,
};
