// TeamCity Kotlin DSL (.teamcity/settings.kts): run a deployment step through logtrim.
// logtrim detects TeamCity (TEAMCITY_VERSION) and publishes the archive itself with
// ##teamcity[publishArtifacts '<path>'], so no artifact rule is needed.
import jetbrains.buildServer.configs.kotlin.*
import jetbrains.buildServer.configs.kotlin.buildSteps.script

version = "2024.03"

project {
    buildType(Deploy)
}

object Deploy : BuildType({
    name = "Deploy"

    params {
        // A password parameter: TeamCity masks it in the build log only;
        // --mask-env keeps it out of the archive as well.
        password("env.DB_PASSWORD", "credentialsJSON:7d1c2b8e-0000-0000-0000-000000000000")
    }

    steps {
        script {
            name = "Install logtrim"
            // logtrim is not on PyPI: build its wheel from a clone (python3 -m pip wheel --no-deps -w tools .) and commit it, or install from your own package feed.
            // A venv of its own: an agent's system Python may be "externally managed" (PEP 668).
            scriptContent = "python3 -m venv .logtrim && .logtrim/bin/pip install --quiet ./tools/logtrim-0.1.0-py3-none-any.whl"
        }
        script {
            name = "Deploy"
            scriptContent = """
                .logtrim/bin/logtrim run --mask-env DB_PASSWORD -- ./deploy.sh
            """.trimIndent()
        }
    }
})
