# Slim, non-root images from one file. The default target, `web`, has no torch: gunicorn
# serves the API and the same image runs the voucher signer
# (`python -m server.rewards.signer_service`). The `ml` target adds the `train` extra (torch,
# trl, transformers) for the RQ worker (`flask worker`) and the scorer
# (`python -m server.scoring.scorer_service`), the one process that serves the reward model.
FROM python:3.11-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 INSTANCE_PATH=/data LIFTLEDGER_ENV=production \
    LIFTLEDGER_DATA=/app/data

# /keys (the signer's keystore) and /run/liftledger (its socket) are volumes in compose: a new
# named volume takes these folders' owner.
RUN useradd --create-home --uid 10001 app && mkdir /data /keys /run/liftledger /run/scorer \
 && chown app /data /keys /run/liftledger /run/scorer
WORKDIR /app

COPY pyproject.toml constraints.txt README.md ./
COPY server ./server
COPY reward_model ./reward_model
RUN pip install -c constraints.txt .
COPY migrations ./migrations
COPY chain/artifacts ./chain/artifacts
COPY data ./data
COPY wsgi.py ./

USER app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4)"
# Migrations on start, then the web server.
CMD ["sh", "-c", "flask --app wsgi db upgrade && exec gunicorn -w ${WEB_CONCURRENCY:-2} -k gthread --threads ${WEB_THREADS:-4} -b 0.0.0.0:8000 --access-logfile - wsgi:app"]

# The worker's and the scorer's image. The CPU build of torch, named by its local version
# label, from the index that serves it (as in the Makefile); for a CUDA image:
# --build-arg TORCH_VERSION=2.13.0 --build-arg TORCH_INDEX_URL=https://pypi.org/simple
FROM base AS ml
ARG TORCH_VERSION=2.13.0+cpu
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
USER root
RUN pip install --extra-index-url "$TORCH_INDEX_URL" "torch==$TORCH_VERSION" \
 && pip install -c constraints.txt ".[train]"
USER app

# The web image (and the signer's): the default target.
FROM base AS web
