"""llama.cpp (the xllamacpp wheel) as the reference for verity-llm's tests.

Usage: python llamacpp.py MODEL.gguf < requests.json > answers.json
requests: {"threads": n (default 1), "tokenize": [text, ...], "chat": [request, ...],
"complete": [{"prompt": text, "n_predict": n, "ignore_eos": bool}, ...]}; answers:
{"tokenize": [[id, ...], ...], "chat": [prompt text, ...], "complete": [{"text": ...,
"tokens": [...], "timings": llama.cpp's timings}, ...]}. Special tokens are parsed; no BOS
added; completions are greedy and never reuse a cached prompt.
"""
import json
import sys
import urllib.request

import xllamacpp


def main():
    model, requests = sys.argv[1], json.load(sys.stdin)
    params = xllamacpp.CommonParams()
    params.model.path = model
    params.n_ctx = 2048
    params.n_parallel = 1
    params.cpuparams.n_threads = requests.get("threads", 1)
    params.cpuparams_batch.n_threads = requests.get("threads", 1)
    params.port = 0
    params.use_jinja = True
    params.verbosity = -1
    server = xllamacpp.Server(params)
    address = server.listening_address

    def post(path, body):
        request = urllib.request.Request(
            address + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
        )
        # A request that gets no answer fails the run (the test runs it again) instead of
        # hanging it; a long completion under load stays well within the limit.
        return json.loads(urllib.request.urlopen(request, timeout=300).read())

    answers = {
        "tokenize": [
            post("/tokenize", {"content": text, "add_special": False, "parse_special": True})["tokens"]
            for text in requests.get("tokenize", [])
        ],
        "chat": [post("/apply-template", request)["prompt"] for request in requests.get("chat", [])],
        "complete": [],
    }
    for request in requests.get("complete", []):
        reply = post(
            "/completion",
            {"prompt": request["prompt"], "n_predict": request["n_predict"], "temperature": 0,
             "top_k": 1, "return_tokens": True, "cache_prompt": False,
             "ignore_eos": request.get("ignore_eos", False)},
        )
        answers["complete"].append(
            {"text": reply["content"], "tokens": reply["tokens"], "timings": reply["timings"]}
        )
    json.dump(answers, sys.stdout)


main()
