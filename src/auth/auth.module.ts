import { Module } from '@nestjs/common';
import { AUTHENTICATOR } from '../core/auth/identity';
import { TokenFileAuthenticator } from '../core/auth/token-file.authenticator';
import { APP_CONFIG, AppConfig } from '../core/config/app-config';
import { K8sGateway } from '../kubernetes/k8s-gateway';
import { KubeAuthenticator } from '../kubernetes/kube-authenticator';

/** The API's bearer-token check, chosen by AUTH_MODE (none: no provider, headers are trusted). */
@Module({
  providers: [
    {
      provide: AUTHENTICATOR,
      inject: [APP_CONFIG, K8sGateway],
      useFactory: (cfg: AppConfig, k8s: K8sGateway) => {
        if (cfg.auth.mode === 'token-file') return new TokenFileAuthenticator(cfg.auth.tokenFile!);
        if (cfg.auth.mode === 'kubernetes') return new KubeAuthenticator(k8s, cfg);
        return null;
      },
    },
  ],
  exports: [AUTHENTICATOR],
})
export class AuthModule {}
