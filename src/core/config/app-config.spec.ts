import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('has working defaults', () => {
    const cfg = loadConfig({});
    expect(cfg).toMatchObject({ apiPort: 8080, workerPort: 8081, tenancyMode: 'local', runtime: 'local', maxConcurrentEvaluations: 4, defaultTimeoutMinutes: 60 });
    expect(cfg.callbackUrl).toBe('http://127.0.0.1:8080');
    expect(cfg.mlflowTrackingUri).toBeUndefined();
  });

  it.each([
    [{ API_PORT: 'eighty' }, /API_PORT must be a whole number/],
    [{ API_PORT: '70000' }, /API_PORT must be between 1 and 65535/],
    [{ TENANCY_MODE: 'open' }, /TENANCY_MODE must be one of local, cluster/],
    [{ REDIS_URL: 'not a url' }, /REDIS_URL must be a URL/],
    [{ MAX_CONCURRENT_EVALUATIONS: '0' }, /MAX_CONCURRENT_EVALUATIONS must be between 1/],
    [{ DEFAULT_TIMEOUT_MINUTES: '-5' }, /DEFAULT_TIMEOUT_MINUTES must be a number/],
    [{ CONFIG_DIR: '/nonexistent' }, /CONFIG_DIR \/nonexistent has no providers/],
    [{ MLFLOW_CA_CERT_PATH: '/nonexistent/ca.crt' }, /MLFLOW_CA_CERT_PATH points to \/nonexistent\/ca.crt, which does not exist/],
    [{ MLFLOW_TOKEN_PATH: '/nonexistent/token' }, /MLFLOW_TOKEN_PATH points to/],
  ])('rejects %j with a message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('reads the MLflow credentials', () => {
    const cfg = loadConfig({ MLFLOW_TRACKING_URI: 'https://mlflow.example', MLFLOW_TRACKING_TOKEN: 'abc', MLFLOW_WORKSPACE: 'team-a', MLFLOW_CA_CERT_PATH: __filename });
    expect(cfg.mlflowAuth).toEqual({ token: 'abc', tokenPath: undefined, caCertPath: __filename, workspace: 'team-a' });
  });
});
