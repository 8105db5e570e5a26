// AWS STS: where its endpoint is (region, FIPS, the AWS_ENDPOINT_URL* overrides) and
// how a field is read from its XML answers. Shared by the credential chain
// (AssumeRole) and the instance credentials (web identity).

/** The STS endpoint AssumeRole goes to. */
export function stsEndpoint(region: string, fips: boolean, env: NodeJS.ProcessEnv = process.env): URL {
  const override = env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL;
  if (override) return new URL(override);
  return new URL(`https://sts${fips ? '-fips' : ''}.${region}.amazonaws.com/`);
}

export function xmlField(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}
