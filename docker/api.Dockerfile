# The ShopTalk API (Python 3.11): FastAPI, retrieval on Qdrant, catalog ingest.
FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 MALLOC_ARENA_MAX=2
WORKDIR /app
COPY requirements/api.lock requirements/api.lock
# torch's CPU build comes from the PyTorch index; everything else from PyPI, hash-checked.
RUN pip install --require-hashes --extra-index-url https://download.pytorch.org/whl/cpu -r requirements/api.lock
COPY api api
COPY retrieval retrieval
COPY i18n i18n
COPY shoptalk shoptalk
COPY demo demo
# what the API reads at start-up: the intents and entity types corrections are checked against
COPY bot/taxonomy.yml bot/taxonomy.yml
ENV PYTHONPATH=/app VAR_DIR=/data
# Build the ONNX encoder at image build time so containers start without torch work.
RUN python -c "from pathlib import Path; from retrieval.encoders.minilm_onnx import ensure_onnx; ensure_onnx(Path('/opt/models'))"
RUN useradd --system --uid 10001 shoptalk && mkdir -p /data && chown shoptalk /data && ln -s /opt/models /data/models
USER shoptalk
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status!=200)"
# --proxy-headers with FORWARDED_ALLOW_IPS from the environment (compose: the balancer); without
# TRUST_FORWARDED_FOR the app ignores X-Forwarded-For anyway (api/limits.py client_ip)
CMD ["uvicorn", "api.main:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000", "--no-access-log", "--proxy-headers"]
