// Public API: filled in by the issue that builds this package (see README "Status").
export {};
