# Multi-stage build: Maven builds the fat jar, a slim JRE runs it as a non-root user.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home /app proxy
WORKDIR /app
COPY --from=build /src/target/redis-proxy.jar /app/redis-proxy.jar
COPY conf /app/conf
USER proxy
ENV PROXY_HOST=0.0.0.0
EXPOSE 8080 6380
# The same start command the system tests run, with the deployment configuration.
ENTRYPOINT ["java", "-Dconfig.file=/app/conf/application.conf", "-Dlogback.configurationFile=/app/conf/logback.xml", "-jar", "/app/redis-proxy.jar"]
