export {
  type AppEnv,
  type ComponentApp,
  type ComponentDeps,
  type ComponentInfo,
  createComponentApp,
  createRouteModule,
  currentTrace,
  requireJson,
  TRACE_QUERY_PARAM,
  tracingFetch,
} from './component-app.ts';
export { hasBody, inProcessRequest, isInProcessRequest, realRequest } from './in-process-request.ts';
export { answerInProcessLightly, isInProcessResponse, lightResponse } from './in-process-response.ts';
export { CJK_FONT_STACK, langLink, PAGE_LANG_COOKIE, type PageLang, pageLang } from './page-lang.ts';
export { problemErrorHandler, problemResponse, toKakehashiError } from './problem.ts';
export { BASELINE_PAGE_CSP, securityHeaders } from './security-headers.ts';
export {
  type AdminHooks,
  AuditEntrySchema,
  AuditVerificationSchema,
  adminAuth,
  HealthSchema,
  mountAdmin,
  mountDocs,
  mountHealth,
  ProblemSchema,
  problemResponses,
} from './standard-routes.ts';
