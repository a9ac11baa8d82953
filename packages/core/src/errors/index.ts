export { ERROR_CODES, type ErrorCode, problemType } from './codes.ts';
export {
  isKakehashiError,
  KakehashiError,
  type KakehashiErrorOptions,
  type ProblemDetails,
} from './kakehashi-error.ts';
