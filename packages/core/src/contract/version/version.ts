/** The core API version plugins declare a range against (`meta.coreApi`). Bumped with breaking interface changes. */
export const CORE_API_VERSION = '2.0.0';
