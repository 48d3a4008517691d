import type { Me } from '../../../shared/contract/auth';
import type { AuditLog } from '../audit/audit-log';
import type { CoreContext } from '../context';
import type { CallContext, FeatureModule } from '../handlers';
import { localOperator, type CallUser } from './actor';
import { createAuthService, type AuthOptions, type AuthService } from './auth-service';
import { PERMISSIONS } from './permissions';

/** The caller `invoke` resolved; a context without one is the local operator. */
const userOf = (ctx: CallContext): CallUser => ctx.user ?? localOperator();

/** Accounts, sessions and tokens (team mode), and `auth:me` for every mode. */
export function createAuthModule(
  ctx: CoreContext,
  audit: AuditLog,
  options: AuthOptions = {},
): FeatureModule<'auth'> & { service: AuthService } {
  const service = createAuthService({ store: ctx.store, clock: ctx.clock, logger: ctx.logger, audit, options });
  // Admin actions name the admin; the local operator (desktop app on a team folder) by its setting.
  const actor = (c: CallContext) => (userOf(c).via === 'local' ? ctx.operator() : userOf(c).username);

  return {
    service,
    handlers: {
      'auth:me': (_args, c): Me => {
        const user = userOf(c);
        const local = user.via === 'local';
        return {
          mode: service.teamMode() ? 'team' : 'single',
          username: local ? ctx.operator() : user.username,
          displayName: local ? ctx.operator() : user.displayName,
          role: user.role,
          via: user.via,
          expiresAtMs: user.expiresAtMs,
          needs: { ...PERMISSIONS },
        };
      },
      'auth:changePassword': ({ current, next }, c) => service.changePassword(userOf(c), current, next),
      'auth:sessions': (_args, c) => ({ sessions: service.sessions(userOf(c)) }),
      'auth:logoutEverywhere': (_args, c) => service.logoutEverywhere(userOf(c)),
      'auth:listTokens': ({ all }, c) => ({ tokens: service.listTokens(userOf(c), all) }),
      'auth:createToken': (input, c) => service.createToken(userOf(c), input),
      'auth:revokeToken': ({ id }, c) => service.revokeToken(userOf(c), id),
      'auth:listUsers': () => ({ users: service.listUsers() }),
      'auth:addUser': (input, c) => service.addUser(input, actor(c)),
      'auth:updateUser': (input, c) => service.updateUser(input, actor(c)),
      'auth:resetPassword': ({ id, password }, c) => service.resetPassword(id, password, actor(c)),
      'auth:endSessions': ({ id }, c) => service.endSessions(id, actor(c)),
    },
  };
}
