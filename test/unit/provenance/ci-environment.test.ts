import { describe, expect, it } from 'vitest';
import { isCi, readCiFacts, repositoryPath } from '../../../src/provenance/ci-environment.js';
import { parseLabels } from '../../../src/provenance/provenance.js';

/** Each service's documented variables, as a job of that service sets them. */
describe('provenance from CI environments', () => {
  it('reads GitHub Actions: a push, a pull request and a re-run of a tag', () => {
    const base = { GITHUB_ACTIONS: 'true', GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/app', GITHUB_SHA: 'abc123', GITHUB_WORKFLOW: 'ci', GITHUB_JOB: 'build', GITHUB_RUN_ID: '99', GITHUB_RUN_NUMBER: '5' };
    expect(readCiFacts({ ...base, GITHUB_REF: 'refs/heads/main', GITHUB_REF_TYPE: 'branch', GITHUB_REF_NAME: 'main', GITHUB_RUN_ATTEMPT: '1' }, true)).toMatchObject({ provider: 'github-actions', repository: 'acme/app', commit: 'abc123', branch: 'main', tag: null, pullRequest: null, runId: '99', runAttempt: '1', runUrl: 'https://github.com/acme/app/actions/runs/99', workflow: 'ci', job: 'build' });
    expect(readCiFacts({ ...base, GITHUB_REF: 'refs/pull/17/merge', GITHUB_REF_TYPE: 'branch', GITHUB_REF_NAME: '17/merge', GITHUB_HEAD_REF: 'feature/x', GITHUB_RUN_ATTEMPT: '1' }, true)).toMatchObject({ branch: 'feature/x', pullRequest: '17' });
    expect(readCiFacts({ ...base, GITHUB_REF: 'refs/tags/v2.0.0', GITHUB_REF_TYPE: 'tag', GITHUB_REF_NAME: 'v2.0.0', GITHUB_RUN_ATTEMPT: '3' }, true)).toMatchObject({ branch: null, tag: 'v2.0.0', runAttempt: '3', runUrl: 'https://github.com/acme/app/actions/runs/99/attempts/3' });
  });

  it('reads GitLab CI: branch pipelines, merge requests and tags', () => {
    const base = { GITLAB_CI: 'true', CI_PROJECT_PATH: 'group/sub/app', CI_PROJECT_URL: 'https://gitlab.com/group/sub/app', CI_COMMIT_SHA: 'def456', CI_PIPELINE_ID: '1234', CI_PIPELINE_URL: 'https://gitlab.com/group/sub/app/-/pipelines/1234', CI_JOB_NAME: 'package', CI_JOB_ID: '777', CI_JOB_URL: 'https://gitlab.com/group/sub/app/-/jobs/777' };
    expect(readCiFacts({ ...base, CI_COMMIT_BRANCH: 'main', CI_COMMIT_REF_NAME: 'main' }, true)).toMatchObject({ provider: 'gitlab-ci', repository: 'group/sub/app', branch: 'main', runId: '1234', job: 'package', jobId: '777', runUrl: base.CI_PIPELINE_URL });
    expect(readCiFacts({ ...base, CI_MERGE_REQUEST_IID: '42', CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: 'fix/y', CI_COMMIT_REF_NAME: 'fix/y' }, true)).toMatchObject({ branch: 'fix/y', pullRequest: '42' });
    expect(readCiFacts({ ...base, CI_COMMIT_TAG: 'v1.0', CI_COMMIT_REF_NAME: 'v1.0' }, true)).toMatchObject({ branch: null, tag: 'v1.0' });
  });

  it('reads Jenkins, CircleCI, Buildkite and Azure Pipelines', () => {
    expect(readCiFacts({ JENKINS_URL: 'https://ci.example.com/', GIT_URL: 'https://user:token@github.com/acme/app.git', GIT_COMMIT: 'aaa', GIT_BRANCH: 'origin/main', JOB_NAME: 'app/main', BUILD_NUMBER: '51', BUILD_URL: 'https://ci.example.com/job/app/51/' }, true)).toMatchObject({ provider: 'jenkins', repository: 'acme/app', repositoryUrl: 'https://github.com/acme/app.git', commit: 'aaa', branch: 'main', runId: '51', workflow: 'app/main', runUrl: 'https://ci.example.com/job/app/51/' });
    expect(readCiFacts({ CIRCLECI: 'true', CIRCLE_PROJECT_USERNAME: 'acme', CIRCLE_PROJECT_REPONAME: 'app', CIRCLE_SHA1: 'bbb', CIRCLE_BRANCH: 'dev', CIRCLE_WORKFLOW_ID: 'wf-1', CIRCLE_JOB: 'build', CIRCLE_BUILD_NUM: '300', CIRCLE_BUILD_URL: 'https://circleci.com/gh/acme/app/300', CIRCLE_PULL_REQUEST: 'https://github.com/acme/app/pull/8' }, true)).toMatchObject({ provider: 'circleci', repository: 'acme/app', commit: 'bbb', branch: 'dev', pullRequest: '8', runId: 'wf-1', jobId: '300', job: 'build' });
    expect(readCiFacts({ BUILDKITE: 'true', BUILDKITE_REPO: 'git@github.com:acme/app.git', BUILDKITE_COMMIT: 'ccc', BUILDKITE_BRANCH: 'main', BUILDKITE_TAG: '', BUILDKITE_PULL_REQUEST: 'false', BUILDKITE_PIPELINE_SLUG: 'app', BUILDKITE_BUILD_NUMBER: '12', BUILDKITE_RETRY_COUNT: '1', BUILDKITE_BUILD_URL: 'https://buildkite.com/acme/app/builds/12', BUILDKITE_STEP_KEY: 'package' }, true)).toMatchObject({ provider: 'buildkite', repository: 'acme/app', branch: 'main', pullRequest: null, runId: '12', runAttempt: '2', job: 'package' });
    expect(readCiFacts({ TF_BUILD: 'True', BUILD_REPOSITORY_NAME: 'acme/app', BUILD_REPOSITORY_URI: 'https://dev.azure.com/acme/app/_git/app', BUILD_SOURCEVERSION: 'ddd', BUILD_SOURCEBRANCH: 'refs/tags/v3', BUILD_DEFINITIONNAME: 'app-ci', BUILD_BUILDID: '555', SYSTEM_JOBATTEMPT: '2', SYSTEM_COLLECTIONURI: 'https://dev.azure.com/acme/', SYSTEM_TEAMPROJECT: 'App' }, true)).toMatchObject({ provider: 'azure-pipelines', tag: 'v3', branch: null, runId: '555', runAttempt: '2', runUrl: 'https://dev.azure.com/acme/App/_build/results?buildId=555' });
  });

  it('knows when it runs in CI, and records nothing from a service it was told to ignore', () => {
    expect(isCi({ CI: 'true' })).toBe(true);
    expect(isCi({ CI: 'false', GITLAB_CI: 'true' })).toBe(true);
    expect(isCi({ CI: 'false' })).toBe(false);
    expect(readCiFacts({ GITHUB_ACTIONS: 'true', GITHUB_SHA: 'x' }, false)).toMatchObject({ provider: 'local', commit: null });
    expect(readCiFacts({ CI: 'true' }, true)).toMatchObject({ provider: 'ci', commit: null });
  });

  it('reduces repository URLs to their path, without credentials', () => {
    expect(repositoryPath('https://token@github.com/acme/app.git')).toBe('acme/app');
    expect(repositoryPath('git@gitlab.com:group/sub/app.git')).toBe('group/sub/app');
    expect(repositoryPath('ssh://git@host:22/acme/app')).toBe('acme/app');
  });

  it('takes labels as key=value and refuses malformed ones with a usage error', () => {
    expect(parseLabels(['channel=nightly', 'note=a=b', 'channel=beta'])).toEqual({ channel: 'beta', note: 'a=b' });
    expect(() => parseLabels(['nokey'])).toThrow(/key=value/);
    expect(() => parseLabels(['=x'])).toThrow(expect.objectContaining({ code: 'E_USAGE', exitCode: 2 }));
  });
});
