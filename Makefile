# ShopTalk. The two commands that matter: `make demo` and `make test`.
SHELL := /bin/bash
PY := .venvs/api/bin/python
RASA_PY := .venvs/rasa/bin/python
ST := bin/shoptalk

.PHONY: help setup demo run train ingest test test-nlu test-unit test-integration test-e2e lint bench bench-retrieval bench-recs bench-load bench-turn-cost bench-tracker-store bench-soak bench-nlu bench-conversations clean

help:  ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

setup:  ## create or update both environments from the lock files (idempotent)
	$(ST) setup

demo:  ## the whole stack on embedded defaults with the demo catalog
	$(ST) demo

run:  ## start the stack with the current model and index
	$(ST) run

train:  ## train the Rasa model if its inputs changed
	$(ST) train

ingest:  ## load the demo catalog (or CATALOG=path) into the product index
	$(ST) ingest $(CATALOG)

test:  ## lint, then every test tier in both envs (installs what the tests need)
	$(ST) setup --with-browser --with-redis
	$(PY) -m ruff check .
	$(ST) train  # before pytest: the e2e tier then finds the model cached, not trained inside a test's timeout
	$(ST) test-dialogue  # Rasa's own tests: every rule and story of bot/tests/test_stories.yml
	$(RASA_PY) -m pytest tests/nlu tests/bot
	$(PY) -m pytest --ignore=tests/nlu --ignore=tests/bot

test-nlu:  ## the NLU model, Rasa component and bot/ tests (Rasa env)
	$(ST) setup --with-redis
	$(RASA_PY) -m pytest tests/nlu tests/bot

test-unit:  ## unit tests only (seconds)
	$(ST) setup
	$(PY) -m pytest tests/unit

test-integration:  ## integration tests (real PostgreSQL, real Qdrant engine, real Redis)
	$(ST) setup --with-redis
	$(PY) -m pytest tests/integration

test-e2e:  ## end-to-end tests (real Rasa, action server, API, browser)
	$(ST) setup --with-browser --with-redis
	$(ST) train
	$(PY) -m pytest tests/e2e

lint:  ## ruff and mypy
	$(PY) -m ruff check .
	$(PY) -m mypy

bench: bench-retrieval bench-recs bench-nlu  ## every benchmark (results in bench/results/, figures in BENCHMARKS.md)

bench-nlu:  ## ours vs DIET vs frozen MiniLM + LR: fresh shopper messages, BANKING77, CLINC150, bot/data (long)
	$(ST) setup
	$(ST) train  # the fresh section scores the served model
	PYTHONPATH=. $(RASA_PY) -m bench.nlu_bench $(NLU_BENCH_ARGS)

bench-conversations:  ## tests/conversations/*.yml against the real stack: pass rate per check kind, failing turns (CONV_BENCH_ARGS="--api URL" for a running stack)
	$(ST) setup
	$(PY) -m bench.conversation_suite $(CONV_BENCH_ARGS)

bench-recs:  ## next-item HR@20/MRR@20 (popularity, item-kNN, session-kNN, ours) and chat + behaviour fusion
	$(ST) setup
	$(PY) -m bench.recs_bench

bench-load:  ## 10/20/50 shoppers over REST + WebSocket against the real stack: latency, turns/s, exactly-once
	$(ST) setup
	$(PY) -m bench.load_bench $(LOAD_BENCH_ARGS)

bench-turn-cost:  ## CPU ms and SQL statements per turn for each process, wall p50/p95, a py-spy profile (TURN_COST_ARGS="--baseline DIR" for a side-by-side ratio)
	$(ST) setup
	$(PY) -m bench.turn_cost $(TURN_COST_ARGS)

bench-tracker-store:  ## Rasa's tracker stores turn by turn (Rasa SQL, cached SQL, Redis; SQLite and PostgreSQL): CPU, wall, statements
	$(ST) setup --with-redis
	PYTHONPATH=. $(RASA_PY) -m bench.tracker_store_bench $(TRACKER_STORE_ARGS)

bench-soak:  ## 10 min of shoppers while Rasa, the action server and the API are killed and restarted
	$(ST) setup
	$(PY) -m bench.soak_bench $(SOAK_BENCH_ARGS)

bench-retrieval:  ## BM25 vs dense vs hybrid on CrowdFlower and Home Depot; latency, ANN recall, ingest
	$(ST) setup
	$(PY) -m bench.retrieval_bench

clean:  ## remove local state (database, index, trained models); keeps the envs
	rm -rf var
