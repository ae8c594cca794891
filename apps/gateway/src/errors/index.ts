export { apiError, ApiErrorExtra } from './api-error';
export { commandFailureToApiError, requestFailureToApiError } from './command-failure';
export { HTTP_STATUS_OF_CODE, UNKNOWN_OWNER_CODE_STATUS, httpStatusOf, isKnownErrorCode } from './http-status-of-code';
