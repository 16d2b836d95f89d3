# Varnish in front of Masthead (Varnish 6 or 7): anonymous readers get pages from memory, the app purges what
# changes, and a down app still serves its last pages. docs/deploy.md explains each choice.
#
#   varnishd -a :80 -f /etc/varnish/masthead.vcl -s malloc,256m
#   MASTHEAD_PURGE_URL=http://127.0.0.1:80 masthead serve   (the app sends PURGE here when a page changes)
#
# Change the backend's address and the purgers' list to your machines.
vcl 4.1;

import std;

backend masthead {
    .host = "127.0.0.1";
    .port = "8000";
    .first_byte_timeout = 30s;
    # Healthy while the app answers its health check; when it does not, pages are served stale (see grace).
    .probe = {
        .url = "/_health/";
        .interval = 2s;
        .timeout = 1s;
        .window = 3;
        .threshold = 2;
        .initial = 2;  # healthy from the start
    }
}

# Only the app's own machines may purge.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        # The page and its ?page=N variants (the path is a page's address: letters, digits, - and /).
        ban("obj.http.X-Url ~ ^" + regsub(req.url, "\?.*$", "") + "(\?|$)");
        return (synth(200, "Purged"));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The admin, the per-visitor endpoint, the view beacon, documents (they may be private) and Wagtail's own views:
    # never cached.
    if (req.url ~ "^/(admin|_visitor|_view|_util|_health|healthz|readyz|documents)(/|$)") {
        return (pass);
    }
    # Signed-in staff (and later members) bypass the cache; everyone else's cookies are dropped, since the
    # public pages never read them.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|masthead_signed_in)=") {
        return (pass);
    }
    unset req.http.Cookie;
    # Fresh pages while the app is up; up to a day of stale ones while it is down.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 30s;
    }
    return (hash);
}

sub vcl_backend_response {
    set beresp.http.X-Url = bereq.url;  # for bans (lurker-friendly: they run in the background)
    if (beresp.http.Set-Cookie || beresp.http.Cache-Control ~ "(private|no-store|no-cache)") {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # The app's s-maxage sets the ttl; keep pages a day past it for when the app is down.
    set beresp.grace = 24h;
    return (deliver);
}

sub vcl_deliver {
    unset resp.http.X-Url;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
    return (deliver);
}
