import { createClient } from "@tessera/client";

// The page the backend sends the browser to after its own login: `/app#ticket=…`. The ticket is
// in the fragment, so it never reaches a server log, a proxy or a Referer header.
const config = JSON.parse(document.getElementById("config")?.textContent ?? "{}") as { authUrl: string };
const auth = createClient({ baseUrl: config.authUrl });
const status = document.getElementById("status") as HTMLElement;
const me = document.getElementById("me") as HTMLElement;

async function start(): Promise<void> {
  const ticket = new URLSearchParams(location.hash.slice(1)).get("ticket");
  // Out of the address bar and the history at once: a ticket is single-use anyway.
  history.replaceState(null, "", location.pathname);
  const user = ticket ? await auth.loginWithTicket(ticket) : await auth.restore();
  if (!user) {
    status.textContent = "Not signed in";
    return;
  }
  status.textContent = `${ticket ? "Signed in" : "Session restored"} as ${user.email}`;
  // An authenticated call, exactly as after a password login.
  const res = await auth.fetch(`${config.authUrl}/auth/me`);
  me.textContent = JSON.stringify((await res.json()).user);
}

start().catch((error: unknown) => {
  status.textContent = `Sign-in failed: ${(error as { code?: string }).code ?? "error"}`;
});
