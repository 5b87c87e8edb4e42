# Rasa 3.6 (Python 3.10): the dialogue server and, with another command, the action server.
FROM python:3.10-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 MALLOC_ARENA_MAX=2 TF_CPP_MIN_LOG_LEVEL=2
WORKDIR /app
COPY requirements/rasa.lock requirements/rasa.lock
RUN pip install --require-hashes -r requirements/rasa.lock
COPY bot bot
COPY nlu_models nlu_models
# languages (detection, Chinese numerals, message catalogs): the NLU and the actions read them
COPY i18n i18n
ENV PYTHONPATH=/app
RUN useradd --system --uid 10001 rasa && mkdir -p /app/bot/models && chown -R rasa /app/bot
USER rasa
WORKDIR /app/bot
EXPOSE 5005 5055
CMD ["rasa", "run", "--enable-api", "--model", "/models", "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"]
