/**
 * The config.toml `agentid init` writes: every line a comment, so it changes nothing until the
 * user uncomments a setting, and can never fail validation. Each table points at what it does.
 */
export const CONFIG_TEMPLATE = `# agentid configuration. Every key is optional; unknown tables and keys are errors that name
# them. Uncomment what you need. Policies live in the policy/ directory next to this file.

# Agents: name processes by what attestation proves (run \`agentid whoami\` inside the agent).
# [agents.claude]
# sha256 = "<sha256 of the running executable>"
# cwd = "/home/me/src"

# Credentials: what the daemon can issue (the jwt credential "identity" is built in).
# [credentials.identity]
# type = "jwt"
# ttl_seconds = 300

# Single sign-on for the human behind each request (\`agentid login\`).
# [idp]
# issuer = "https://login.example.com"
# client_id = "agentid"

# Where long-lived secrets live: "keychain" (default) or "file" (unencrypted, opt-in).
# [secrets]
# backend = "keychain"

# [audit]
# retain_days = 90
`;
