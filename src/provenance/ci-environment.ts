/**
 * Where a build ran, read from the variables each CI service sets. The model follows what
 * artifact repositories keep for a build (JFrog build-info: name, number, started, url, vcs
 * revision/branch/url; GitHub Actions artifacts: workflow_run id, head_branch, head_sha,
 * repository): the provider, the repository, the commit, the branch or tag, the pull/merge
 * request, the workflow or pipeline, the job, the run with its attempt, and the run's URL.
 * Every provider's variables are those documented by the service; nothing is guessed from names.
 */

export type CiProvider = 'github-actions' | 'gitlab-ci' | 'jenkins' | 'circleci' | 'buildkite' | 'azure-pipelines' | 'ci' | 'local';

export interface CiFacts {
  provider: CiProvider;
  /** owner/name (or group/subgroup/name): URLs are reduced to their path, without .git. */
  repository: string | null;
  repositoryUrl: string | null;
  commit: string | null;
  branch: string | null;
  tag: string | null;
  /** The pull or merge request number; its source branch is `branch`. */
  pullRequest: string | null;
  workflow: string | null;
  job: string | null;
  /** The run (GitHub run, GitLab pipeline, Jenkins build, CircleCI workflow, Buildkite build, Azure build). */
  runId: string | null;
  runAttempt: string | null;
  runNumber: string | null;
  runUrl: string | null;
  /** The job inside the run, where the service numbers jobs apart (GitLab, CircleCI, Buildkite). */
  jobId: string | null;
  jobUrl: string | null;
  actor: string | null;
  event: string | null;
}

type Env = Readonly<Record<string, string | undefined>>;

/** True when the environment says a CI service runs us (CI=true and the providers' own flags). */
export function isCi(env: Env): boolean {
  const flag = (env.CI ?? '').toLowerCase();
  if (flag === 'true' || flag === '1' || flag === 'yes') return true;
  return detectProvider(env) !== undefined;
}

function detectProvider(env: Env): Exclude<CiProvider, 'ci' | 'local'> | undefined {
  if (env.GITHUB_ACTIONS === 'true') return 'github-actions';
  if (env.GITLAB_CI === 'true') return 'gitlab-ci';
  if (env.BUILDKITE === 'true') return 'buildkite';
  if (env.CIRCLECI === 'true') return 'circleci';
  if ((env.TF_BUILD ?? '').toLowerCase() === 'true') return 'azure-pipelines';
  if (env.JENKINS_URL || (env.JENKINS_HOME && env.BUILD_NUMBER)) return 'jenkins';
  return undefined;
}

/** The CI facts of this environment; `inCi` false gives the `local` provider with no facts. */
export function readCiFacts(env: Env, inCi: boolean): CiFacts {
  const empty = emptyFacts(inCi ? 'ci' : 'local');
  if (!inCi) return empty;
  switch (detectProvider(env)) {
    case 'github-actions':
      return githubActions(env);
    case 'gitlab-ci':
      return gitlabCi(env);
    case 'jenkins':
      return jenkins(env);
    case 'circleci':
      return circleci(env);
    case 'buildkite':
      return buildkite(env);
    case 'azure-pipelines':
      return azurePipelines(env);
    default:
      return empty;
  }
}

function emptyFacts(provider: CiProvider): CiFacts {
  return { provider, repository: null, repositoryUrl: null, commit: null, branch: null, tag: null, pullRequest: null, workflow: null, job: null, runId: null, runAttempt: null, runNumber: null, runUrl: null, jobId: null, jobUrl: null, actor: null, event: null };
}

/** A value, or null for what is unset or empty (services set some variables to ""). */
function value(raw: string | undefined): string | null {
  const trimmed = raw?.trim();
  return trimmed ? trimmed : null;
}

/** refs/heads/x -> branch x, refs/tags/v1 -> tag v1, refs/pull/7/merge -> pull request 7. */
function fromRef(ref: string | null): { branch: string | null; tag: string | null; pullRequest: string | null } {
  if (!ref) return { branch: null, tag: null, pullRequest: null };
  if (ref.startsWith('refs/heads/')) return { branch: ref.slice('refs/heads/'.length), tag: null, pullRequest: null };
  if (ref.startsWith('refs/tags/')) return { branch: null, tag: ref.slice('refs/tags/'.length), pullRequest: null };
  const pull = /^refs\/(?:pull|merge-requests)\/(\d+)\//.exec(ref);
  if (pull) return { branch: null, tag: null, pullRequest: pull[1] as string };
  return { branch: ref, tag: null, pullRequest: null };
}

/** https://host/owner/name.git, git@host:owner/name.git -> owner/name. */
export function repositoryPath(url: string | null): string | null {
  if (!url) return null;
  const scp = /^[^@/]+@[^:/]+:(.+)$/.exec(url);
  let rest = scp ? (scp[1] as string) : url;
  if (!scp) {
    try {
      rest = new URL(url).pathname;
    } catch {
      rest = url;
    }
  }
  const cleaned = rest.replace(/^\/+/, '').replace(/\/+$/, '').replace(/\.git$/, '');
  return cleaned || null;
}

/** A URL without user or password (Jenkins' GIT_URL may carry a token). */
function publicUrl(url: string | null): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    // scp-like git@host:owner/name.git has no password to strip.
    return url;
  }
}

function githubActions(env: Env): CiFacts {
  const server = value(env.GITHUB_SERVER_URL) ?? 'https://github.com';
  const repository = value(env.GITHUB_REPOSITORY);
  const ref = fromRef(value(env.GITHUB_REF));
  const refType = value(env.GITHUB_REF_TYPE);
  const refName = value(env.GITHUB_REF_NAME);
  const runId = value(env.GITHUB_RUN_ID);
  const attempt = value(env.GITHUB_RUN_ATTEMPT);
  const runUrl = repository && runId ? `${server}/${repository}/actions/runs/${runId}${attempt && attempt !== '1' ? `/attempts/${attempt}` : ''}` : null;
  return {
    provider: 'github-actions',
    repository,
    repositoryUrl: repository ? `${server}/${repository}` : null,
    commit: value(env.GITHUB_SHA),
    // A pull request's run is on refs/pull/N/merge: its branch is the head branch.
    branch: ref.pullRequest ? value(env.GITHUB_HEAD_REF) : refType === 'branch' ? refName ?? ref.branch : ref.branch,
    tag: refType === 'tag' ? refName ?? ref.tag : ref.tag,
    pullRequest: ref.pullRequest,
    workflow: value(env.GITHUB_WORKFLOW),
    job: value(env.GITHUB_JOB),
    runId,
    runAttempt: attempt,
    runNumber: value(env.GITHUB_RUN_NUMBER),
    runUrl,
    jobId: null,
    jobUrl: null,
    actor: value(env.GITHUB_ACTOR),
    event: value(env.GITHUB_EVENT_NAME),
  };
}

function gitlabCi(env: Env): CiFacts {
  const mergeRequest = value(env.CI_MERGE_REQUEST_IID);
  return {
    provider: 'gitlab-ci',
    repository: value(env.CI_PROJECT_PATH),
    repositoryUrl: value(env.CI_PROJECT_URL),
    commit: value(env.CI_COMMIT_SHA),
    branch: value(env.CI_COMMIT_BRANCH) ?? value(env.CI_MERGE_REQUEST_SOURCE_BRANCH_NAME) ?? (value(env.CI_COMMIT_TAG) ? null : value(env.CI_COMMIT_REF_NAME)),
    tag: value(env.CI_COMMIT_TAG),
    pullRequest: mergeRequest,
    workflow: value(env.CI_PIPELINE_NAME) ?? value(env.CI_CONFIG_PATH),
    job: value(env.CI_JOB_NAME),
    runId: value(env.CI_PIPELINE_ID),
    // A retried GitLab job is a new job (new CI_JOB_ID) in the same pipeline.
    runAttempt: null,
    runNumber: value(env.CI_PIPELINE_IID),
    runUrl: value(env.CI_PIPELINE_URL),
    jobId: value(env.CI_JOB_ID),
    jobUrl: value(env.CI_JOB_URL),
    actor: value(env.GITLAB_USER_LOGIN),
    event: value(env.CI_PIPELINE_SOURCE),
  };
}

function jenkins(env: Env): CiFacts {
  const gitUrl = value(env.GIT_URL);
  // GIT_BRANCH is origin/main on plain jobs; multibranch pipelines set BRANCH_NAME.
  const branch = value(env.BRANCH_NAME) ?? value(env.GIT_BRANCH)?.replace(/^(?:origin|refs\/heads)\//, '') ?? null;
  const tag = value(env.TAG_NAME);
  const pullRequest = value(env.CHANGE_ID);
  return {
    provider: 'jenkins',
    repository: repositoryPath(gitUrl),
    repositoryUrl: publicUrl(gitUrl),
    commit: value(env.GIT_COMMIT),
    branch: pullRequest ? value(env.CHANGE_BRANCH) ?? branch : tag ? null : branch,
    tag,
    pullRequest,
    workflow: value(env.JOB_NAME),
    job: value(env.STAGE_NAME),
    runId: value(env.BUILD_NUMBER) ?? value(env.BUILD_ID),
    runAttempt: null,
    runNumber: value(env.BUILD_NUMBER),
    runUrl: value(env.BUILD_URL),
    jobId: null,
    jobUrl: null,
    actor: null,
    event: null,
  };
}

function circleci(env: Env): CiFacts {
  const url = value(env.CIRCLE_REPOSITORY_URL);
  const owner = value(env.CIRCLE_PROJECT_USERNAME);
  const name = value(env.CIRCLE_PROJECT_REPONAME);
  const pullRequest = value(env.CIRCLE_PR_NUMBER) ?? /\/pull\/(\d+)/.exec(env.CIRCLE_PULL_REQUEST ?? '')?.[1] ?? null;
  return {
    provider: 'circleci',
    repository: owner && name ? `${owner}/${name}` : repositoryPath(url),
    repositoryUrl: publicUrl(url),
    commit: value(env.CIRCLE_SHA1),
    branch: value(env.CIRCLE_BRANCH),
    tag: value(env.CIRCLE_TAG),
    pullRequest,
    workflow: value(env.CIRCLE_WORKFLOW_ID),
    job: value(env.CIRCLE_JOB),
    // A CircleCI run is a workflow; its jobs are numbered builds.
    runId: value(env.CIRCLE_WORKFLOW_ID),
    runAttempt: null,
    runNumber: value(env.CIRCLE_BUILD_NUM),
    runUrl: value(env.CIRCLE_BUILD_URL),
    jobId: value(env.CIRCLE_BUILD_NUM),
    jobUrl: value(env.CIRCLE_BUILD_URL),
    actor: value(env.CIRCLE_USERNAME),
    event: null,
  };
}

function buildkite(env: Env): CiFacts {
  const url = value(env.BUILDKITE_REPO);
  const pullRequest = value(env.BUILDKITE_PULL_REQUEST);
  const retries = Number(env.BUILDKITE_RETRY_COUNT ?? '');
  return {
    provider: 'buildkite',
    repository: repositoryPath(url),
    repositoryUrl: publicUrl(url),
    commit: value(env.BUILDKITE_COMMIT),
    branch: value(env.BUILDKITE_TAG) ? null : value(env.BUILDKITE_BRANCH),
    tag: value(env.BUILDKITE_TAG),
    pullRequest: pullRequest === 'false' ? null : pullRequest,
    workflow: value(env.BUILDKITE_PIPELINE_SLUG),
    job: value(env.BUILDKITE_STEP_KEY) ?? value(env.BUILDKITE_LABEL),
    runId: value(env.BUILDKITE_BUILD_NUMBER),
    runAttempt: Number.isInteger(retries) && env.BUILDKITE_RETRY_COUNT ? String(retries + 1) : null,
    runNumber: value(env.BUILDKITE_BUILD_NUMBER),
    runUrl: value(env.BUILDKITE_BUILD_URL),
    jobId: value(env.BUILDKITE_JOB_ID),
    jobUrl: null,
    actor: value(env.BUILDKITE_BUILD_CREATOR),
    event: value(env.BUILDKITE_SOURCE),
  };
}

function azurePipelines(env: Env): CiFacts {
  const ref = fromRef(value(env.BUILD_SOURCEBRANCH));
  const pullRequest = value(env.SYSTEM_PULLREQUEST_PULLREQUESTNUMBER) ?? value(env.SYSTEM_PULLREQUEST_PULLREQUESTID) ?? ref.pullRequest;
  const collection = value(env.SYSTEM_COLLECTIONURI);
  const project = value(env.SYSTEM_TEAMPROJECT);
  const buildId = value(env.BUILD_BUILDID);
  const sourceBranch = fromRef(value(env.SYSTEM_PULLREQUEST_SOURCEBRANCH)).branch;
  return {
    provider: 'azure-pipelines',
    repository: value(env.BUILD_REPOSITORY_NAME),
    repositoryUrl: publicUrl(value(env.BUILD_REPOSITORY_URI)),
    commit: value(env.BUILD_SOURCEVERSION),
    branch: pullRequest ? sourceBranch : ref.branch,
    tag: ref.tag,
    pullRequest,
    workflow: value(env.BUILD_DEFINITIONNAME),
    job: value(env.SYSTEM_JOBDISPLAYNAME) ?? value(env.AGENT_JOBNAME),
    runId: buildId,
    runAttempt: value(env.SYSTEM_JOBATTEMPT),
    runNumber: value(env.BUILD_BUILDNUMBER),
    runUrl: collection && project && buildId ? `${collection.replace(/\/?$/, '/')}${encodeURIComponent(project)}/_build/results?buildId=${buildId}` : null,
    jobId: value(env.SYSTEM_JOBID),
    jobUrl: null,
    actor: value(env.BUILD_REQUESTEDFOR),
    event: value(env.BUILD_REASON),
  };
}
