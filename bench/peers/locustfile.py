# The standard cast session as a Locust user: token from auth (POST
# /auth/token), WebSocket with the token, start_agent, three user_message,
# get_state, close. One session per user, then the user stops; the run
# quits when every user has finished (BENCH_USERS of them).
#
# Locust has no WebSocket user of its own: python3-websocket (websocket-client)
# does the socket, gevent (monkey-patched by Locust) makes it cooperative.
# Each step is reported as a Locust request so its stats and percentiles
# cover it: type WS, names start_agent, user_message, get_state; "session"
# is the whole session, reported once per user that completed it.
import json
import os
import time

import websocket
from locust import HttpUser, events, task
from locust.exception import StopUser

USERS = int(os.environ.get("BENCH_USERS", "200"))
WS_URL = os.environ.get("BENCH_WS_URL", "ws://127.0.0.1:8000/ws")
RUN_ID = os.environ.get("BENCH_RUN_ID", "bench-locust")
TIMEOUT_S = 30
_finished = 0
_counter = 0

MESSAGES = ["Please remember my code word {canary}.", "status?",
            "Which code word did I give you? It was {canary}."]


def _report(env, name, started, length=0, error=None):
    env.events.request.fire(request_type="WS", name=name, response_time=(time.perf_counter() - started) * 1000,
                            response_length=length, exception=error, context={})


@events.quitting.add_listener
def _write_stats(environment, **_kwargs):
    # Locust's own CSV is written before the last users report; this is
    # written on quit, from the same stats, with the percentiles it computes.
    out = os.environ.get("BENCH_LOCUST_OUT")
    if not out:
        return
    steps = {}
    for (name, method), entry in environment.stats.entries.items():
        steps[name] = {"count": entry.num_requests, "failures": entry.num_failures,
                       "mean_ms": entry.avg_response_time,
                       **{"p%g" % (q * 100): entry.get_response_time_percentile(q) for q in (0.5, 0.95, 0.99)}}
    with open(out, "w") as f:
        json.dump(steps, f, indent=1)


class SessionFailed(Exception):
    pass


class AgentSessionUser(HttpUser):
    # The token comes from the auth service; the WebSocket goes to BENCH_WS_URL.
    wait_time = lambda self: 0  # noqa: E731

    def on_start(self):
        global _counter
        _counter += 1
        self.index = _counter
        self.user_id = "u-%06d" % self.index
        self.canary = "cst_%s_%d_locust" % (RUN_ID, self.index)
        self.requests = 0

    def exchange(self, ws, name, message, expect):
        self.requests += 1
        request_id = "%s-r%d" % (self.user_id, self.requests)
        message["request_id"] = request_id
        started = time.perf_counter()
        ws.send(json.dumps(message))
        while True:
            frame = ws.recv()
            answer = json.loads(frame)
            if answer.get("request_id") == request_id:
                break
        if answer.get("type") != expect:
            error = SessionFailed("%s answered %s" % (name, answer.get("type")))
            _report(self.environment, name, started, len(frame), error)
            raise error
        _report(self.environment, name, started, len(frame))
        return answer

    @task
    def session(self):
        global _finished
        begun = time.perf_counter()
        try:
            token = self.client.post("/auth/token", name="token", json={
                "user_id": self.user_id, "tenant_id": "t-%04d" % (self.index % 100),
                "email": self.user_id + "@example.test", "run_id": RUN_ID, "ttl_s": 900}).json()["access_token"]
            self.client.close()  # the keep-alive socket would count twice against the open-file limit
            started = time.perf_counter()
            ws = websocket.create_connection(WS_URL, header=["Authorization: Bearer " + token], timeout=TIMEOUT_S)
            _report(self.environment, "connect", started)
            try:
                agent = self.exchange(ws, "start_agent", {"type": "start_agent", "context": {
                    "canary": self.canary, "user_id": self.user_id,
                    "profile": {"email": self.user_id + "@example.test", "display_name": self.user_id}}},
                    "agent_started")["agent_id"]
                for text in MESSAGES:
                    self.exchange(ws, "user_message", {"type": "user_message", "agent_id": agent,
                                                       "content": text.format(canary=self.canary)}, "agent_response")
                self.exchange(ws, "get_state", {"type": "get_state", "agent_id": agent}, "agent_state")
            finally:
                ws.close()
            _report(self.environment, "session", begun)
        except Exception as error:  # a failed session is counted, never retried
            _report(self.environment, "session", begun, 0, error)
        _finished += 1
        if _finished >= USERS:
            self.environment.runner.quit()
        raise StopUser()
