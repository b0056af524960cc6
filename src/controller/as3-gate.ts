/**
 * The controller's door to the BIG-IP: it knows which AS3 writes are in flight, and once closed
 * (the controller is stopping) it lets no new request through. A post already sent is not cut
 * short: its outcome would be unknown. Whether it is awaited is the shutdown deadline's call; if
 * not, `inFlight()` says what the BIG-IP may or may not have applied.
 */
import type { As3Adc, As3Application, As3Declaration } from '../model/as3-types.js';
import type { As3Api, As3Info, DeployOutcome } from '../bigip/as3-api.js';

/** A call refused because the controller is stopping (not a BIG-IP problem). */
export class StoppingError extends Error {
  constructor(what: string) {
    super(`${what} not sent: the controller is stopping`);
    this.name = 'StoppingError';
  }
}

interface Post {
  what: string;
  since: number;
}

export class As3Gate implements As3Api {
  private closed = false;
  private readonly posts = new Set<Post>();

  constructor(
    private readonly api: As3Api,
    private readonly now: () => number = Date.now,
  ) {}

  /** No request starts after this; those under way go on. */
  close(): void {
    this.closed = true;
  }

  /** The AS3 writes sent and not answered yet, e.g. `POST /declare/shop (3 s ago)`. */
  inFlight(): string[] {
    const now = this.now();
    return [...this.posts].map((p) => `${p.what} (sent ${Math.round((now - p.since) / 1000)} s ago)`);
  }

  info(): Promise<As3Info> {
    return this.pass('GET /info', () => this.api.info());
  }

  currentDeclaration(): Promise<As3Adc | undefined> {
    return this.pass('GET /declare', () => this.api.currentDeclaration());
  }

  deployTenants(tenants: string[], declaration: As3Declaration): Promise<DeployOutcome> {
    return this.post(`AS3 post of tenant ${tenants.join(', ')}`, () => this.api.deployTenants(tenants, declaration));
  }

  deployApplications(tenant: string, schemaVersion: string, applications: Record<string, As3Application>): Promise<DeployOutcome> {
    const names = Object.keys(applications);
    return this.post(`AS3 post of tenant ${tenant} (application ${names.join(', ')})`, () =>
      this.api.deployApplications(tenant, schemaVersion, applications),
    );
  }

  private pass<T>(what: string, call: () => Promise<T>): Promise<T> {
    return this.closed ? Promise.reject(new StoppingError(what)) : call();
  }

  private async post(what: string, call: () => Promise<DeployOutcome>): Promise<DeployOutcome> {
    if (this.closed) throw new StoppingError(what);
    const post = { what, since: this.now() };
    this.posts.add(post);
    try {
      return await call();
    } finally {
      this.posts.delete(post);
    }
  }
}
