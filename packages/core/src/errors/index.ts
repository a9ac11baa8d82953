export { CORE_ERROR_CODES } from './codes.ts';
export {
  isKakehashiError,
  KakehashiError,
  type KakehashiErrorOptions,
  type ProblemDetails,
} from './kakehashi-error.ts';
export {
  defineErrorCodes,
  type ErrorCatalogue,
  type ErrorCode,
  type ErrorCodeInfo,
  errorCodeInfo,
  isErrorCode,
  problemType,
  type RegisteredErrorCode,
  registeredErrorCodes,
  renderErrorCodesTable,
} from './registry.ts';
