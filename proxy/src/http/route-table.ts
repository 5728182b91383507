import type { HttpRoute } from "./http-rules.js";
import { compareSpecificity, matchTemplate, specificity } from "./path-template.js";

/** The route a request takes, with the text of its path variables. */
export interface RouteMatch {
  readonly route: HttpRoute;
  readonly bindings: ReadonlyMap<string, string>;
}

/** No route: the path matches none (404), or matches only for other HTTP methods (405, with `allow`). */
export interface NoRoute {
  readonly status: 404 | 405;
  readonly allow: readonly string[];
}

/**
 * Finds the route of a request. When several templates match, the most specific wins
 * (literals before `*` before `**`, spec/http.md HTTP-5); rules compiled without conflicts never tie.
 */
export class RouteTable {
  private readonly scored: readonly { readonly route: HttpRoute; readonly score: number[] }[];

  constructor(routes: readonly HttpRoute[]) {
    this.scored = routes.map((route) => ({ route, score: specificity(route.template) }));
  }

  /** Every HTTP method some route takes, for CORS preflight answers. */
  methods(): string[] {
    return [...new Set(this.scored.map((s) => s.route.httpMethod))];
  }

  find(httpMethod: string, path: string): RouteMatch | NoRoute {
    let best: { match: RouteMatch; score: number[] } | undefined;
    const allow = new Set<string>();
    for (const { route, score } of this.scored) {
      const m = matchTemplate(route.template, path);
      if (m === undefined) continue;
      if (route.httpMethod !== httpMethod) {
        allow.add(route.httpMethod);
        continue;
      }
      if (best === undefined || compareSpecificity(score, best.score) > 0) best = { match: { route, bindings: m.bindings }, score };
    }
    if (best !== undefined) return best.match;
    return allow.size > 0 ? { status: 405, allow: [...allow].sort() } : { status: 404, allow: [] };
  }
}

export function isRouteMatch(found: RouteMatch | NoRoute): found is RouteMatch {
  return "route" in found;
}
