/**
 * Dockerfile linting without hadolint (it is a Haskell binary that neither the npm registry nor
 * Debian bookworm packages). Two layers:
 *  - dockerfile-utils' validator (the one behind the VS Code Docker extension): syntax and the
 *    builder's own errors, every check switched to "error";
 *  - the hadolint rules that matter for this image, re-implemented on dockerfile-ast's parse tree
 *    under hadolint's rule codes, plus a few of our own (SHOP*).
 */
import { DockerfileParser, type Copy, type Dockerfile, type From, type Instruction } from 'dockerfile-ast';
import { validate, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';

export interface LintProblem {
  rule: string;
  line: number;
  message: string;
}

const ALL_CHECKS_AS_ERRORS: ValidatorSettings = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

export interface Stage {
  from: From;
  name: string | null;
  instructions: Instruction[];
}

/** The build stages in order, each with the instructions that belong to it. */
export function stagesOf(dockerfile: Dockerfile): Stage[] {
  const stages: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const from = instruction as From;
      stages.push({ from, name: from.getBuildStage(), instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

/** Text after the keyword, continuation lines joined. */
export function argumentsText(instruction: Instruction): string {
  return (instruction.getArgumentsContent() ?? '').replace(/\\\r?\n/g, ' ').trim();
}

/** The JSON array of an exec-form CMD/ENTRYPOINT/HEALTHCHECK CMD, or undefined for shell form. */
export function execFormOf(instruction: Instruction): string[] | undefined {
  let text = argumentsText(instruction);
  if (instruction.getKeyword() === 'HEALTHCHECK') {
    text = text.replace(/^(--[a-z-]+=\S+\s+)*/, '');
    if (!text.startsWith('CMD')) return undefined;
    text = text.slice(3).trim();
  }
  if (!text.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Shell commands of a RUN, split on && ; || so each can be inspected on its own. */
function shellCommands(run: Instruction): string[][] {
  return argumentsText(run)
    .replace(/^(--[a-z]+=\S+\s+)*/, '')
    .split(/&&|\|\||;/)
    .map((command) => command.trim().split(/\s+/).filter(Boolean))
    .filter((words) => words.length > 0);
}

const line = (instruction: Instruction) => instruction.getRange().start.line + 1;

export function lintDockerfile(content: string): LintProblem[] {
  const problems: LintProblem[] = validate(content, ALL_CHECKS_AS_ERRORS).map((diagnostic) => ({
    rule: `dockerfile-utils:${String(diagnostic.code)}`,
    line: diagnostic.range.start.line + 1,
    message: typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value,
  }));
  const dockerfile = DockerfileParser.parse(content);
  const stages = stagesOf(dockerfile);
  const report = (rule: string, instruction: Instruction, message: string) => problems.push({ rule, line: line(instruction), message });

  if (stages.length === 0) {
    problems.push({ rule: 'SHOP000', line: 1, message: 'no FROM instruction' });
    return problems;
  }

  const stageNames: string[] = [];
  for (const [index, stage] of stages.entries()) {
    const image = stage.from.getImageName() ?? '';
    const isEarlierStage = stageNames.includes(image);
    if (!isEarlierStage && image !== 'scratch') {
      const tag = stage.from.getImageTag();
      const digest = stage.from.getImageDigest();
      if (!tag && !digest) report('DL3006', stage.from, `always tag the image explicitly: ${image}`);
      if (tag === 'latest') report('DL3007', stage.from, `do not use the latest tag: ${image}:latest`);
      if (tag && tag !== 'latest' && !digest && !/^v?\d+\.\d+/.test(tag)) {
        report('SHOP001', stage.from, `pin the base image to a minor version at least (x.y): ${image}:${tag}`);
      }
    }
    if (stage.from.getPlatformFlag()) report('DL3029', stage.from, 'do not use --platform with FROM');
    if (stage.name) stageNames.push(stage.name);

    let workdirSet = stages.slice(0, index + 1).some((s) => s.instructions.some((i) => i.getKeyword() === 'WORKDIR'));
    for (const instruction of stage.instructions) {
      const keyword = instruction.getKeyword();
      if (keyword === 'WORKDIR') workdirSet = true;
      if (keyword === 'ADD') report('DL3020', instruction, 'use COPY instead of ADD for files and folders');
      if (keyword === 'MAINTAINER') report('DL4000', instruction, 'MAINTAINER is deprecated');
      if (keyword === 'COPY' || keyword === 'ADD') {
        const args = instruction.getArguments().map((argument) => argument.getValue());
        const destination = args[args.length - 1] ?? '';
        if (!destination.startsWith('/') && !destination.startsWith('$') && !workdirSet) {
          report('DL3045', instruction, `COPY to a relative destination without WORKDIR: ${destination}`);
        }
        if (args.length > 2 && !destination.endsWith('/')) {
          report('DL3021', instruction, 'COPY with more than 2 arguments requires the last argument to end with /');
        }
        const fromFlag = keyword === 'COPY' ? (instruction as Copy).getFromFlag() : null;
        const source = fromFlag?.getValue();
        if (source !== undefined && source !== null) {
          if (source === stage.name) report('DL3023', instruction, 'COPY --from cannot reference its own stage');
          else if (!/^\d+$/.test(source) && !source.includes('/') && !source.includes(':') && !stageNames.includes(source)) {
            report('DL3022', instruction, `COPY --from should reference a previously defined stage: ${source}`);
          }
        }
      }
      if (keyword === 'RUN') {
        const text = argumentsText(instruction);
        const commands = shellCommands(instruction);
        if (/(^|[^|])\|([^|]|$)/.test(text) && !/pipefail/.test(text)) {
          report('DL4006', instruction, 'set -o pipefail before RUN with a pipe');
        }
        if (commands.some((words) => words[0] === 'sudo')) report('DL3004', instruction, 'do not use sudo');
        if (commands.some((words) => words[0] === 'cd')) report('DL3003', instruction, 'use WORKDIR to switch to a directory');
        if (commands.some((words) => words[0] === 'apt')) report('DL3027', instruction, 'use apt-get or apt-cache instead of apt');
        if (commands.some((words) => words[0] === 'npm' && ['install', 'i'].includes(words[1]))) {
          report('SHOP002', instruction, 'use npm ci (lockfile) instead of npm install');
        }
        for (const words of commands.filter((w) => w[0] === 'apt-get' && w.includes('install'))) {
          if (!words.includes('-y') && !words.includes('--yes') && !words.includes('-qy')) report('DL3014', instruction, 'use apt-get install -y');
          if (!words.includes('--no-install-recommends')) report('DL3015', instruction, 'avoid additional packages: --no-install-recommends');
          const packages = words.slice(words.indexOf('install') + 1).filter((word) => !word.startsWith('-'));
          const unpinned = packages.filter((pkg) => !pkg.includes('='));
          if (unpinned.length > 0) report('DL3008', instruction, `pin versions in apt-get install: ${unpinned.join(' ')}`);
        }
        if (commands.some((w) => w[0] === 'apt-get' && w.includes('update')) && !/rm -rf \/var\/lib\/apt\/lists/.test(text)) {
          report('DL3009', instruction, 'delete the apt-get lists after installing something');
        }
      }
    }
  }

  const final = stages[stages.length - 1];
  const inFinal = (keyword: string) => final.instructions.filter((instruction) => instruction.getKeyword() === keyword);
  const users = inFinal('USER');
  const lastUser = users[users.length - 1];
  if (!lastUser) {
    report('SHOP003', final.from, 'the final stage must switch to a non-root USER');
  } else if (/^(root|0)(:.*)?$/.test(argumentsText(lastUser))) {
    report('DL3002', lastUser, 'last USER should not be root');
  }
  const healthchecks = inFinal('HEALTHCHECK');
  if (healthchecks.length === 0) report('SHOP004', final.from, 'the final stage must declare a HEALTHCHECK');
  for (const healthcheck of healthchecks) {
    if (!execFormOf(healthcheck)) report('SHOP005', healthcheck, 'use the exec (JSON) form for HEALTHCHECK CMD');
  }
  for (const instruction of [...inFinal('CMD'), ...inFinal('ENTRYPOINT')]) {
    if (!execFormOf(instruction)) report('DL3025', instruction, `use arguments JSON notation for ${instruction.getKeyword()}`);
  }
  if (inFinal('CMD').length === 0 && inFinal('ENTRYPOINT').length === 0) {
    report('SHOP006', final.from, 'the final stage must say what to run (CMD or ENTRYPOINT)');
  }
  return problems.sort((a, b) => a.line - b.line);
}
